#include <asm/unistd_64.h>
