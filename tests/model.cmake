# Model runtime tests (core/model).
