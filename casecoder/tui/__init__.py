"""The Textual workbench. Nothing outside this package imports Textual.

`casecoder.tui.app.CasecoderApp` is the entry point; the domain packages (project, store,
ingest, analysis, export, nlp) never import from here, which a test checks.
"""
