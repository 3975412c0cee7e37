/* The fixture library function the benchmark workload calls through the PLT. Kept out
 * of line and opaque so each loop iteration is exactly one call. */
__attribute__((noinline, visibility("default"))) int bench_fn(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x + 1;
}
