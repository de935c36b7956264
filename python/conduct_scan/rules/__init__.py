"""The rules toolchain: list, check, test, explain and evaluate rulesets."""
