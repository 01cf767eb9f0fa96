# ctest driver: install the build tree into a scratch prefix, build the consumer against that prefix
# only, run it on a reference model and compare its energy with n2p2's.
# Inputs: BUILD_DIR, SOURCE_DIR (this folder), WORK_DIR, MODEL_DIR, EXPECTED_ENERGY
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
  message(FATAL_ERROR "configuring the consumer failed:\n${out}\n${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the consumer failed:\n${out}\n${err}")
endif()
execute_process(COMMAND ${WORK_DIR}/build/consumer ${MODEL_DIR} ${MODEL_DIR}/input.data
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the consumer failed:\n${out}\n${err}")
endif()
string(REGEX MATCH "energy ([^\n]+)" m "${out}")
set(e ${CMAKE_MATCH_1})
# The energy must agree with n2p2 in its first 15 significant digits (about 1e-14 relative).
execute_process(COMMAND ${CMAKE_COMMAND} -E echo "consumer energy ${e}, n2p2 ${EXPECTED_ENERGY}")
if(NOT e MATCHES "^-2\\.75645473478159[0-9]*e\\+04$")
  message(FATAL_ERROR "consumer energy ${e} does not match n2p2's ${EXPECTED_ENERGY} to 1e-13 relative")
endif()
