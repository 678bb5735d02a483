"""Language processing on top of spaCy: the sentence pipeline and its rule fixes.

Nothing here imports spaCy at module import time (it costs most of a second and the TUI must
start fast): `pipeline.load_pipeline` and `segment.split_sentences` import it on first use.
"""
