from tests.instruction.conftest import (  # noqa: E402,F401
    agent_of,
    open_calls,  # noqa: F401
    submitted,
)
