"""Paper Atlas: turn saved Hugging Face Daily Papers dumps into a static site.

The pipeline, one module per stage:

    sources -> parse -> dates -> merge -> themes -> related -> render -> write

`corpus.load_corpus` runs the reading stages; `render.site.generate` turns
the result into pages; `hooks` hands them to MkDocs; `cli` is the command line.
"""

__version__ = "0.1.0"
