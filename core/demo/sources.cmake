# core/demo: the embedded demo scenario (demo-init).
target_sources(awb_core PRIVATE
)
