using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuroNative.Inference;

/// <summary>Adam (PyTorch's formula, no weight decay) with gradient-norm clipping over the parameters of a module
/// laid out in one flat buffer: every parameter and its gradient are views of two contiguous tensors, so that a step
/// is a dozen operations instead of a dozen per parameter. The estimators are small (tens of tensors of a few
/// thousand numbers), so per-operation overhead, not arithmetic, was a third of a training step (docs/inference.md).</summary>
internal sealed class FlatAdam : IDisposable
{
    readonly Tensor parameters, gradients, m, v;
    readonly double learningRate, beta1, beta2, eps;
    int steps;

    public FlatAdam(IEnumerable<Parameter> module, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        (this.learningRate, this.beta1, this.beta2, this.eps) = (learningRate, beta1, beta2, eps);
        var list = module.ToList();
        using (no_grad())
        {
            parameters = cat(list.Select(p => p.detach().flatten()).ToArray());
            gradients = zeros_like(parameters);
            long offset = 0;
            foreach (var p in list)
            {
                long n = p.numel();
                p.set_(parameters.narrow(0, offset, n).view(p.shape));
                p.grad = gradients.narrow(0, offset, n).view(p.shape);
                offset += n;
            }
        }
        m = zeros_like(parameters);
        v = zeros_like(parameters);
    }

    /// <summary>Zeroes the gradients in place (they must stay views of the flat buffer).</summary>
    public void ZeroGrad() => gradients.zero_();

    /// <summary>Clips the gradient's 2-norm to <paramref name="maxNorm"/> (torch.nn.utils.clip_grad_norm_), then one Adam step.</summary>
    public void Step(double maxNorm)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var coefficient = (maxNorm / (gradients.norm() + 1e-6)).clamp_max(1.0);
        gradients.mul_(coefficient);
        steps++;
        m.mul_(beta1).add_(gradients, alpha: 1 - beta1);
        v.mul_(beta2).addcmul_(gradients, gradients, value: 1 - beta2);
        double correction1 = 1 - Math.Pow(beta1, steps), correction2 = 1 - Math.Pow(beta2, steps);
        var denominator = (v.sqrt() / Math.Sqrt(correction2)).add_(eps);
        parameters.addcdiv_(m, denominator, value: -learningRate / correction1);
    }

    public void Dispose()
    {
        m.Dispose();
        v.Dispose();
    }
}
