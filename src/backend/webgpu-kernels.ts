/**
 * A fix for tfjs-backend-webgpu 4.22's `AddN`: its shader is cached under the key "addN" whatever the number of
 * inputs, so after `tf.addN` of k tensors has run, a later `tf.addN` of more tensors of the same shape reuses the
 * k-input shader and silently adds only the first k (measured in Chromium: addN of 8 or 15 scalars after one of
 * 5 returned the sum of the first 5). `clipByGlobalNorm` sums one squared norm per parameter with `tf.addN`, so
 * on WebGPU the gradient norm, and with it every clipped AdamW step, came out wrong. Found by
 * `npm run check:webgpu`. Here AddN adds its inputs one at a time with the `Add` kernel ((x₀ + x₁) + x₂ …,
 * the order tfjs's CPU backend uses).
 */
import * as tf from "@tensorflow/tfjs-core";

interface Disposing {
  disposeData(dataId: tf.DataId): void;
}

let registered = false;

/** Replaces the `webgpu` backend's AddN kernel (once; a no-op when the WebGPU backend is not registered). */
export function registerWebGpuKernels(): void {
  if (registered) return;
  const add = tf.getKernel("Add", "webgpu");
  const original = tf.getKernel("AddN", "webgpu");
  if (!add || !original) return;
  registered = true;
  tf.unregisterKernel("AddN", "webgpu");
  tf.registerKernel({
    kernelName: "AddN",
    backendName: "webgpu",
    kernelFunc: (args) => {
      const inputs = args.inputs as unknown as tf.TensorInfo[];
      if (inputs.length <= 2) return original.kernelFunc(args);
      const backend = args.backend as unknown as Disposing;
      let sum = add.kernelFunc({
        ...args,
        inputs: { a: inputs[0], b: inputs[1] },
        attrs: {},
      }) as tf.TensorInfo;
      for (let i = 2; i < inputs.length; i++) {
        const next = add.kernelFunc({
          ...args,
          inputs: { a: sum, b: inputs[i] },
          attrs: {},
        }) as tf.TensorInfo;
        backend.disposeData(sum.dataId);
        sum = next;
      }
      return sum;
    },
  });
}
