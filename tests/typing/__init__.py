"""User code that must type-check (`pass_*`) or fail exactly where marked (`fail_*`).

These files are type-checked, never run. In a `fail_*` file each line that must fail carries
`# type: ignore[<code>]`: the project's mypy run proves nothing else fails, and
`tests/test_typing.py` strips the comments and proves each marked line fails with its code.
"""
