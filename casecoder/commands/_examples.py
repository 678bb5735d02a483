"""One example line per command, for commands whose docstring does not carry its own.

`cli.py` appends "Example: ..." to such a command's help, so `--help` and docs/cli.md show
it; tests/test_cli_docs.py fails for any command or subcommand that has neither. New commands
should put the example in their docstring (see the developers' guide); this table holds the
examples of the commands written before that rule.
"""

EXAMPLES: dict[str, str] = {
    "": "casecoder demo",
    "agreement": "casecoder agreement study.cc.db --coders ingrid,tomas --unit sentence "
                 "-o agreement.html",
    "attr": 'casecoder attr study.cc.db --doc c1-bip-helse-prosjektleder role="pro-rector"',
    "attributes": "casecoder attributes study.cc.db transcripts/attributes.csv",
    "code": "casecoder code study.cc.db --doc c1-bip-helse-prosjektleder "
            "--code motivation/inclusive-mobility --segments 12-13",
    "codebook": "casecoder codebook show study.cc.db",
    "codebook add": 'casecoder codebook add study.cc.db barriers/visum --description "Visa '
                    'and residence permits" --keyword visum',
    "codebook delete": "casecoder codebook delete study.cc.db barriers/visum --force",
    "codebook edit": 'casecoder codebook edit study.cc.db barriers --description "Alt som '
                     'hindrer mobilitet" --shortcut 3',
    "codebook export": "casecoder codebook export study.cc.db -o codebook.qdc",
    "codebook import": "casecoder codebook import study.cc.db codebook.qdc",
    "codebook merge": "casecoder codebook merge study.cc.db barriers/cost barriers/funding",
    "codebook move": "casecoder codebook move study.cc.db barriers/visum motivation",
    "codebook rename": "casecoder codebook rename study.cc.db barriers/visum visa",
    "codebook show": "casecoder codebook show study.cc.db",
    "codings": "casecoder codings study.cc.db --code motivation --format csv",
    "copy-for-coder": "casecoder copy-for-coder study.cc.db study-tomas.cc.db --coder tomas",
    "demo": "casecoder demo --no-tui",
    "disagreements": "casecoder disagreements study.cc.db --coders ingrid,tomas --code barriers",
    "docs": "casecoder docs study.cc.db --format json",
    "done": "casecoder done study.cc.db --doc c1-bip-helse-prosjektleder --coder ingrid",
    "export": "casecoder export quotes study.cc.db -o quotes.docx --by case_type",
    "export pseudonymised": "casecoder export pseudonymised study.cc.db -o study-anon.cc.db "
                            "--pseudonyms transcripts/pseudonyms.csv",
    "export qdpx": "casecoder export qdpx study.cc.db -o study.qdpx",
    "export quotes": "casecoder export quotes study.cc.db -o barriers.md --theme barriers "
                     "--coder ingrid --context 1",
    "import": 'casecoder import study.cc.db interviews/ --case C1 --attr role="project leader"',
    "import-codings": "casecoder import-codings study.cc.db quotes.yml --coder tomas",
    "import-qdpx": "casecoder import-qdpx from-nvivo.qdpx new-study.cc.db",
    "init": "casecoder init study.cc.db --codebook codebooks/erasmus-plus.yml --language nb",
    "log": "casecoder log study.cc.db --by ingrid --limit 20",
    "memo": 'casecoder memo study.cc.db --doc c1-bip-helse-prosjektleder "Kari nevner '
            'finansiering tre ganger"',
    "memos": "casecoder memos study.cc.db --format json",
    "redo": "casecoder redo study.cc.db",
    "search": "casecoder search study.cc.db '\"nye partnere\"'",
    "set": "casecoder set study.cc.db language en",
    "show": "casecoder show study.cc.db c1-bip-helse-prosjektleder",
    "stats": "casecoder stats study.cc.db",
    "tui": "casecoder tui study.cc.db --coder ingrid",
    "uncode": "casecoder uncode study.cc.db --doc c1-bip-helse-prosjektleder --code barriers "
              "--start 1200 --end 1250",
    "undo": "casecoder undo study.cc.db",
}
