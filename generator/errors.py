"""The project's own error types. The CLI maps them to exit codes."""


class CorpusError(Exception):
    """Something in corpus/ stops the run; the message says where and what to do."""


class DumpError(CorpusError):
    """A dump cannot be read at all (not text, unknown encoding...).

    Carries where (`where`, 1-based `line`) and why (`reason`) so callers can
    list the dump as rejected without taking the message apart.
    """

    def __init__(self, where: str, reason: str, line: int | None = None):
        self.where, self.reason, self.line = where, reason, line
        super().__init__(f"{where}:{line}: {reason}" if line else f"{where}: {reason}")


class ConfigFileError(CorpusError):
    """corpus/themes.yml or corpus/sources.yml is invalid."""


class ThemeFileError(ConfigFileError):
    """corpus/themes.yml is invalid."""


class SourcesFileError(ConfigFileError):
    """corpus/sources.yml is invalid."""


class OutputError(CorpusError):
    """The generator was asked to write somewhere it does not own."""


class FollowFileError(ConfigFileError):
    """corpus/follow.yml is invalid."""


class FetchError(CorpusError):
    """A request to the Hugging Face API failed or answered something unexpected; nothing was stored."""
