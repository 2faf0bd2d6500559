/*
 * oneMKL, linked into libtorch, chooses its code path by CPU vendor through this function:
 * 1 takes its Intel path (AVX-512 kernels on the Intel Xeon), 0 a generic path for other
 * vendors (what it takes on the AMD EPYC). Preloaded, this answers ANSWER whatever the CPU, so
 * one machine computes libtorch's numbers as the other CPU family does (docs/cross-cpu.md).
 */
int mkl_serv_intel_cpu_true(void)
{
    return ANSWER;
}
