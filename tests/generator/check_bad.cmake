# Runs famqp-gen on types.bare.xml + one bad spec and checks that it fails
# with exit status 1, prints the message the spec declares in its
# "EXPECT: ..." comment, and writes nothing into the output directory.
file(READ "${SPEC}" text)
string(REGEX MATCH "EXPECT: ([^\n]*[^ \n])[ ]*-->" _ "${text}")
set(expected "${CMAKE_MATCH_1}")
if(expected STREQUAL "")
    message(FATAL_ERROR "${SPEC} has no <!-- EXPECT: file:line: error: ... --> comment")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/out")
file(WRITE "${WORK_DIR}/out/sentinel" "existing output stays untouched\n")
execute_process(
    COMMAND "${FAMQP_GEN}" --out "${WORK_DIR}/out" --tests "${WORK_DIR}/out" "${TYPES}" "${SPEC}"
    RESULT_VARIABLE rc
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err)
if(NOT rc EQUAL 1)
    message(FATAL_ERROR "famqp-gen exited with ${rc}, expected 1\nstderr:\n${err}")
endif()
string(FIND "${err}" "${expected}" at)
if(at EQUAL -1)
    message(FATAL_ERROR "expected message not printed:\n  ${expected}\nstderr was:\n${err}")
endif()
file(GLOB written RELATIVE "${WORK_DIR}/out" "${WORK_DIR}/out/*")
if(NOT written STREQUAL "sentinel")
    message(FATAL_ERROR "famqp-gen failed but the output directory now holds: ${written}")
endif()
