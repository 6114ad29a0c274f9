from tests.instruction.conftest import open_calls  # noqa: F401
