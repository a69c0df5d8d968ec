# The embedded demo: the fixture rebuilds a small version with the real
# command, the tests check its quality and train on it.
set(AWB_DEMO_SMALL_DIR "${CMAKE_CURRENT_BINARY_DIR}/demo_small")
add_test(NAME core/demo_small_setup COMMAND awb demo-init --small --out "${AWB_DEMO_SMALL_DIR}")
set_tests_properties(core/demo_small_setup PROPERTIES FIXTURES_SETUP demo_small LABELS "core;demo" TIMEOUT 900)

awb_add_test(demo DIR core LIBS awb_core LABELS demo)
target_compile_definitions(tst_demo PRIVATE AWB_DEMO_SMALL_DIR="${AWB_DEMO_SMALL_DIR}")
set_tests_properties(core/demo PROPERTIES FIXTURES_REQUIRED demo_small)

awb_add_test(cli_train DIR app LIBS awb_core Qt6::Core LABELS demo)
target_compile_definitions(tst_cli_train PRIVATE AWB_DEMO_SMALL_DIR="${AWB_DEMO_SMALL_DIR}")
add_dependencies(tst_cli_train awb)
set_tests_properties(app/cli_train PROPERTIES FIXTURES_REQUIRED demo_small)

# Preference aspects trained on the shipped demo policy (resources/demo/policy) as the backbone.
awb_add_test(reward_preferences DIR core LIBS awb_core LABELS demo)
target_compile_definitions(tst_reward_preferences PRIVATE AWB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

awb_add_test(cli_cold_start DIR app LIBS awb_core Qt6::Core LABELS demo)
target_compile_definitions(tst_cli_cold_start PRIVATE AWB_DEMO_SMALL_DIR="${AWB_DEMO_SMALL_DIR}")
add_dependencies(tst_cli_cold_start awb)
set_tests_properties(app/cli_cold_start PROPERTIES FIXTURES_REQUIRED demo_small)

awb_add_test(cli_compare DIR app LIBS awb_core Qt6::Core LABELS demo)
target_compile_definitions(tst_cli_compare PRIVATE AWB_DEMO_SMALL_DIR="${AWB_DEMO_SMALL_DIR}")
add_dependencies(tst_cli_compare awb)
set_tests_properties(app/cli_compare PROPERTIES FIXTURES_REQUIRED demo_small)

awb_add_test(cli_active_learning DIR app LIBS awb_core Qt6::Core LABELS demo)
target_compile_definitions(tst_cli_active_learning PRIVATE AWB_DEMO_SMALL_DIR="${AWB_DEMO_SMALL_DIR}")
add_dependencies(tst_cli_active_learning awb)
set_tests_properties(app/cli_active_learning PROPERTIES FIXTURES_REQUIRED demo_small)

# GRPO, RLOO and PPO each raise the shipped demo's gold objective (about a minute each).
awb_add_test(algorithm_gains DIR core LIBS awb_core LABELS demo slow)
target_compile_definitions(tst_algorithm_gains PRIVATE AWB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# The longest test: started first, so the others run beside it.
set_tests_properties(core/algorithm_gains PROPERTIES COST 10000)

# Data-parallel awb train: 2 ranks on loopback against 1 process, faults, torchrun.
awb_add_test(cli_distributed DIR app LIBS awb_core Qt6::Core LABELS demo)
target_compile_definitions(tst_cli_distributed PRIVATE AWB_DEMO_SMALL_DIR="${AWB_DEMO_SMALL_DIR}")
add_dependencies(tst_cli_distributed awb)
set_tests_properties(app/cli_distributed PROPERTIES FIXTURES_REQUIRED demo_small RUN_SERIAL TRUE)

# awb train against a deleted-and-recreated workspace, a locked one, a full disk.
awb_add_test(cli_faults DIR app LIBS awb_core Qt6::Core LABELS demo)
target_compile_definitions(tst_cli_faults PRIVATE AWB_DEMO_SMALL_DIR="${AWB_DEMO_SMALL_DIR}")
add_dependencies(tst_cli_faults awb)
set_tests_properties(app/cli_faults PROPERTIES FIXTURES_REQUIRED demo_small)

# awb steer and awb front on a steerable run and a fixed-weight one.
awb_add_test(cli_steer DIR app LIBS awb_core Qt6::Core LABELS demo)
target_compile_definitions(tst_cli_steer PRIVATE AWB_DEMO_SMALL_DIR="${AWB_DEMO_SMALL_DIR}")
add_dependencies(tst_cli_steer awb)
set_tests_properties(app/cli_steer PROPERTIES FIXTURES_REQUIRED demo_small)

# A "lora"-conditioned steerable run on the shipped demo steers: its front moves with the weights (about a minute).
awb_add_test(cli_steer_moves DIR app LIBS Qt6::Core nlohmann_json::nlohmann_json LABELS demo slow)
target_compile_definitions(tst_cli_steer_moves PRIVATE AWB_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                                      AWB_DEMO_SMALL_DIR="${AWB_DEMO_SMALL_DIR}")
add_dependencies(tst_cli_steer_moves awb)
set_tests_properties(app/cli_steer_moves PROPERTIES COST 5000)
