from django.apps import AppConfig


class InstructionConfig(AppConfig):
    name = "instruction"
    verbose_name = "Instruction"

    def ready(self) -> None:
        from instruction import deadlines, workflow  # noqa: F401  (transitions, daily task)
