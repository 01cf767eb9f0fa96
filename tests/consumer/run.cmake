# ctest driver: install the build tree into a scratch prefix, build examples/embed (a separate project that
# finds the installed package, SOURCE_DIR) against that prefix only, and run it on the 2G and 4G water models:
# its energy through the host entry point (its own arrays and CSR neighbour list) must equal n2p2's, and its
# forces, per-atom energies and virials those of the library's compute(structure).
# Inputs: BUILD_DIR, SOURCE_DIR, WORK_DIR, MODEL_DIR, EXPECTED_ENERGY, MODEL_DIR_4G
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "installing hdnnp failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -DCMAKE_BUILD_TYPE=Release
                        -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the example failed:\n${out}\n${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the example failed:\n${out}\n${err}")
endif()

# Runs the example on a model directory and its input.data; checks the differences it prints.
function(run_embed model tolerance)
  execute_process(COMMAND ${WORK_DIR}/build/embed ${model} ${model}/input.data
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "embed ${model} failed:\n${out}\n${err}")
  endif()
  message(STATUS "embed ${model}:\n${out}")
  foreach(what "energy difference to compute\\(structure\\)" "per-atom energies sum minus energy"
               "largest force difference to compute\\(structure\\)"
               "largest virial difference to compute\\(structure\\) or the per-atom sum")
    if(NOT out MATCHES "${what} ([^\n]+)")
      message(FATAL_ERROR "embed printed no line '${what}'")
    endif()
    if(NOT CMAKE_MATCH_1 LESS_EQUAL ${tolerance})
      message(FATAL_ERROR "embed ${model}: ${what} ${CMAKE_MATCH_1} exceeds ${tolerance}")
    endif()
  endforeach()
  set(embed_out "${out}" PARENT_SCOPE)
endfunction()

# 2G water (1080 atoms, energy ~ -2.8e4 Ha): differences from summation order only.
run_embed(${MODEL_DIR} 1e-8)
string(REGEX MATCH "energy ([^\n]+)" m "${embed_out}")
set(e ${CMAKE_MATCH_1})
# The energy must agree with n2p2 in its first 15 significant digits (about 1e-14 relative).
message(STATUS "embed energy ${e}, n2p2 ${EXPECTED_ENERGY}")
if(NOT e MATCHES "^-2\\.75645473478159[0-9]*e\\+04$")
  message(FATAL_ERROR "embed energy ${e} does not match n2p2's ${EXPECTED_ENERGY} to 1e-13 relative")
endif()
# 4G water (384 atoms, Ewald and charge equilibration through the host entry point).
run_embed(${MODEL_DIR_4G} 1e-8)
