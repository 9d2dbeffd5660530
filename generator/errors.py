"""The project's own error types. The CLI maps them to exit codes."""


class CorpusError(Exception):
    """Something in corpus/ stops the run; the message says where and what to do."""


class DumpError(CorpusError):
    """A dump cannot be read at all (not text, unknown encoding...)."""


class ConfigFileError(CorpusError):
    """corpus/themes.yml or corpus/sources.yml is invalid."""


class ThemeFileError(ConfigFileError):
    """corpus/themes.yml is invalid."""


class SourcesFileError(ConfigFileError):
    """corpus/sources.yml is invalid."""


class OutputError(CorpusError):
    """The generator was asked to write somewhere it does not own."""
