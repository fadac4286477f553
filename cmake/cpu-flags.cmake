# CPU flags shared by cogito's build and the pristine llama.cpp peer build (included there
# through CMAKE_PROJECT_INCLUDE), so both compile the same kernels.
#
# AMX is left out unless COGITO_CPU_AMX is ON: hosts (VMs, sandboxes) may advertise AMX while
# the kernel does not enable its tile state, and ggml's AMX kernels then die with SIGILL.
option(COGITO_CPU_AMX "Compile ggml's AMX kernels when the CPU advertises AMX" OFF)
if(NOT COGITO_CPU_AMX AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64"
   AND (CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang" OR CMAKE_C_COMPILER_ID MATCHES "GNU|Clang"))
  # must precede ggml's -march=native on the command line, which CMAKE_<LANG>_FLAGS does
  set(CMAKE_C_FLAGS "${CMAKE_C_FLAGS} -mno-amx-tile -mno-amx-int8 -mno-amx-bf16")
  set(CMAKE_CXX_FLAGS "${CMAKE_CXX_FLAGS} -mno-amx-tile -mno-amx-int8 -mno-amx-bf16")
endif()
