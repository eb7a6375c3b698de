static void accumulate_512(void* acc, const void* input, const void* secret)
{
    __m512i const data_vec    = _mm512_loadu_si512   (input);
    __m512i const key_vec     = _mm512_loadu_si512   (secret);
    __m512i const data_key    = _mm512_xor_si512     (data_vec, key_vec);
}
