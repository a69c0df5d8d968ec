# core/store: SQLite experiment store.
target_sources(awb_core PRIVATE
)
