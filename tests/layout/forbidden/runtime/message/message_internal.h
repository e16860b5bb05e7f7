#include "famqp/message.h"
