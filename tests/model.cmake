# Model runtime tests (core/model), checked against the naive reference in reference.cmake.
awb_add_test(causal_lm DIR core LIBS awb_reference_lm awb_core)
awb_add_test(lora DIR core LIBS awb_reference_lm awb_core)
awb_add_test(sampler DIR core LIBS awb_reference_lm awb_core)
awb_add_test(cli_model DIR app LIBS awb_reference_lm awb_cli)
awb_add_test(kernels DIR core LIBS awb_reference_lm awb_core)
awb_add_test(kernel_pool DIR core LIBS awb_core)
awb_add_test(stored_ops DIR core LIBS awb_core)
awb_add_test(model_shapes DIR core LIBS awb_cli)

# Micro-benchmarks of the kernels (not run by ctest): build bench_kernels by hand.
find_package(benchmark QUIET)
if(benchmark_FOUND)
    add_executable(bench_kernels EXCLUDE_FROM_ALL bench/bench_kernels.cpp)
    target_link_libraries(bench_kernels PRIVATE awb_core benchmark::benchmark awb_warnings)
    # Log-probabilities at Qwen2.5-0.5B's head, fused against unfused (README, "The GRPO step at 0.5B and 7B").
    add_executable(bench_logprobs EXCLUDE_FROM_ALL bench/bench_logprobs.cpp)
    target_link_libraries(bench_logprobs PRIVATE awb_core benchmark::benchmark awb_warnings)
endif()
