# core/store: SQLite experiment store (no LibTorch: awb_base).
target_sources(awb_base PRIVATE
    store/sqlite_db.cpp
    store/label_exchange.cpp
    store/store.cpp
    store/store_samples.cpp
    store/store_schema.cpp
    store/store_steps.cpp
)
