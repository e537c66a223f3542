// Types for the parts of the Emscripten build of the Speex resampler that src/audio uses.
declare module '@echogarden/speex-resampler-wasm/simd' {
  export interface SpeexResamplerModule {
    HEAP16: Int16Array;
    HEAPU32: Uint32Array;
    HEAP32: Int32Array;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
    _speex_resampler_init(channels: number, inRate: number, outRate: number, quality: number, errPtr: number): number;
    _speex_resampler_process_int(state: number, channel: number, inPtr: number, inLenPtr: number, outPtr: number, outLenPtr: number): number;
    _speex_resampler_skip_zeros(state: number): number;
    _speex_resampler_get_input_latency(state: number): number;
    _speex_resampler_reset_mem(state: number): number;
    _speex_resampler_destroy(state: number): void;
  }
  const init: (moduleArg?: Record<string, unknown>) => Promise<SpeexResamplerModule>;
  export default init;
}
