"""The `tandem` command line: the top layer, over the API, the evals and the bench."""
