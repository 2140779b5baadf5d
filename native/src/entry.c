/* entry.c: main() of haco-launch, apart from main.c so the unit tests can run
 * launcher_main() with a recording fake instead of the kernel (test/launch_test.c). */
#include "haco.h"

int main(int argc, char **argv)
{
	return launcher_main(argc, argv, &sys_real);
}
