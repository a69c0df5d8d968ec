# Limits on valid but hostile input (core/io/input_limits.h), label fuzz.
awb_add_test(input_limits DIR core LIBS awb_base LABELS fuzz)
