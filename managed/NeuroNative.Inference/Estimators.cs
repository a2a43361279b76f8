using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuroNative.Inference;

/// <summary>The density estimators of sbi (SNPE, SNLE) and its classifiers (SNRE).</summary>
public enum EstimatorKind { Mdn, Made, Maf, Nsf, Linear, Mlp, ResNet }

/// <summary>The estimators' sizes; defaults as sbi's (build_maf, build_nsf, build_mdn, build_made, classifiers).</summary>
public sealed record EstimatorOptions
{
    public int HiddenFeatures { get; init; } = 50;
    /// <summary>Flow layers of MAF and NSF.</summary>
    public int NumTransforms { get; init; } = 5;
    /// <summary>Gaussian components of MDN and MADE.</summary>
    public int NumComponents { get; init; } = 10;
    /// <summary>Spline bins of NSF, on [-TailBound, TailBound] (standardized units), identity outside.</summary>
    public int NumBins { get; init; } = 10;
    public double TailBound { get; init; } = 3.0;
    /// <summary>Residual blocks of NSF's conditioner and of the ResNet classifier.</summary>
    public int NumBlocks { get; init; } = 2;
    /// <summary>An embedding network on z-scored x before SNPE's context or SNRE's classifier (null: x as it is).</summary>
    public EmbeddingOptions? Embedding { get; init; }
}

public static class Estimators
{
    public static EstimatorKind Parse(string name) => name.ToLowerInvariant() switch
    {
        "mdn" => EstimatorKind.Mdn, "made" => EstimatorKind.Made, "maf" => EstimatorKind.Maf, "nsf" => EstimatorKind.Nsf,
        "linear" => EstimatorKind.Linear, "mlp" => EstimatorKind.Mlp, "resnet" => EstimatorKind.ResNet,
        _ => throw new InferenceException($"estimator '{name}': expected mdn, made, maf, nsf (SNPE, SNLE) or linear, mlp, resnet (SNRE)"),
    };

    public static bool IsClassifier(this EstimatorKind k) => k is EstimatorKind.Linear or EstimatorKind.Mlp or EstimatorKind.ResNet;

    /// <summary>A conditional density of <paramref name="features"/> variables given <paramref name="context"/>
    /// ones, in standardized units (the caller z-scores, see <see cref="Standardized"/>).</summary>
    internal static ConditionalDensity CreateDensity(EstimatorKind kind, int features, int context, EstimatorOptions o) => kind switch
    {
        EstimatorKind.Mdn => new Mdn(features, context, o),
        EstimatorKind.Made => new MogMade(features, context, o),
        EstimatorKind.Maf => new Flow(features, context, Enumerable.Range(0, o.NumTransforms)
            .Select(_ => (FlowTransform)new AffineAutoregressive(features, context, o)).ToList()),
        EstimatorKind.Nsf => new Flow(features, context, Enumerable.Range(0, o.NumTransforms)
            .Select(t => (FlowTransform)new SplineCoupling(features, context, t, o)).ToList()),
        _ => throw new InferenceException($"estimator {kind} is a classifier (SNRE); SNPE and SNLE take mdn, made, maf or nsf"),
    };
}

/// <summary>log q(y | c) and sampling from q(· | c).</summary>
internal abstract class ConditionalDensity : nn.Module
{
    protected ConditionalDensity(string name, int features) : base(name) => Features = features;
    public int Features { get; }
    /// <summary>y [N, D], c [N, C] → [N].</summary>
    public abstract Tensor LogProb(Tensor y, Tensor c);
    /// <summary>c [1, C] → [n, D].</summary>
    public abstract Tensor Sample(long n, Tensor c, Generator g);
}

/// <summary>Mixture density network (Bishop 1994) as pyknos': three ReLU layers on the context, then per component
/// a weight, a mean and an upper-triangular precision factor U (precision UᵀU, softplus diagonal).</summary>
internal sealed class Mdn : ConditionalDensity
{
    readonly Sequential hiddenNet;
    readonly Linear logits, means, diag, upper;
    readonly int k, d;
    readonly long[] upperRows, upperCols;

    public Mdn(int features, int context, EstimatorOptions o) : base(nameof(Mdn), features)
    {
        (k, d) = (o.NumComponents, features);
        int h = o.HiddenFeatures;
        hiddenNet = nn.Sequential(nn.Linear(context, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU());
        logits = nn.Linear(h, k);
        means = nn.Linear(h, k * d);
        diag = nn.Linear(h, k * d);
        var pairs = (from r in Enumerable.Range(0, d) from c in Enumerable.Range(0, d) where c > r select (r, c)).ToArray();
        upperRows = pairs.Select(p => (long)p.r).ToArray();
        upperCols = pairs.Select(p => (long)p.c).ToArray();
        upper = nn.Linear(h, Math.Max(1, k * pairs.Length));
        RegisterComponents();
    }

    (Tensor logw, Tensor mu, Tensor u, Tensor logdiag) Parameters(Tensor c)
    {
        var h = hiddenNet.forward(c);
        long n = c.shape[0];
        var logw = nn.functional.log_softmax(logits.forward(h), 1);
        var mu = means.forward(h).view(n, k, d);
        var dg = nn.functional.softplus(diag.forward(h).view(n, k, d)) + 1e-3;
        var u = torch.diag_embed(dg);
        if (upperRows.Length > 0)
        {
            var off = upper.forward(h).view(n, k, upperRows.Length);
            var idx = (upperRows.Zip(upperCols, (r, col) => r * d + col)).ToArray();
            u = u.view(n, k, d * d).index_add(2, tensor(idx), off, 1.0).view(n, k, d, d);
        }
        return (logw, mu, u, dg.log());
    }

    public override Tensor LogProb(Tensor y, Tensor c)
    {
        var (logw, mu, u, logdiag) = Parameters(c);
        var diff = (y.unsqueeze(1) - mu).unsqueeze(-1);                 // [N, K, D, 1]
        var z = matmul(u, diff).squeeze(-1);                            // U (y − μ)
        var comp = logdiag.sum(-1) - 0.5 * z.pow(2).sum(-1) - 0.5 * d * Math.Log(2 * Math.PI);
        return logsumexp(logw + comp, 1);
    }

    public override Tensor Sample(long n, Tensor c, Generator g)
    {
        var (logw, mu, u, _) = Parameters(c);
        var which = multinomial(logw[0].exp(), n, replacement: true, generator: g);   // [n]
        var eps = randn(new[] { n, (long)d, 1L }, generator: g);
        var uinv = linalg.inv(u[0]);                                    // [K, D, D]
        return mu[0].index_select(0, which) + matmul(uinv.index_select(0, which), eps).squeeze(-1);
    }
}

/// <summary>sbi's "made": MADE whose conditional of feature d given features &lt; d and the context is a
/// mixture of <c>NumComponents</c> Gaussians (pyknos' MixtureOfGaussiansMADE).</summary>
internal sealed class MogMade : ConditionalDensity
{
    readonly Made made;
    readonly int k;

    public MogMade(int features, int context, EstimatorOptions o) : base(nameof(MogMade), features)
    {
        k = o.NumComponents;
        made = new Made(features, context, o.HiddenFeatures, 3 * k);
        RegisterComponents();
    }

    Tensor Components(Tensor y, Tensor c, out Tensor mu, out Tensor logstd)
    {
        var p = made.forward(y, c);                                     // [N, D, 3K]
        mu = p.narrow(2, k, k);
        logstd = p.narrow(2, 2 * k, k).clamp(-10, 10);
        return nn.functional.log_softmax(p.narrow(2, 0, k), 2);
    }

    public override Tensor LogProb(Tensor y, Tensor c)
    {
        var logw = Components(y, c, out var mu, out var logstd);
        var z = (y.unsqueeze(-1) - mu) / logstd.exp();
        var comp = -0.5 * z.pow(2) - logstd - 0.5 * Math.Log(2 * Math.PI);
        return logsumexp(logw + comp, 2).sum(1);
    }

    public override Tensor Sample(long n, Tensor c, Generator g)
    {
        var ctx = c.expand(n, c.shape[1]);
        var y = zeros(n, Features);
        for (int f = 0; f < Features; f++)
        {
            var logw = Components(y, ctx, out var mu, out var logstd);
            var which = multinomial(logw[.., f].exp(), 1, replacement: true, generator: g);        // [n, 1]
            var m = mu[.., f].gather(1, which).squeeze(1);
            var s = logstd[.., f].gather(1, which).squeeze(1).exp();
            var col = m + s * randn(new[] { n }, generator: g);
            y = y.index_put_(col, TensorIndex.Colon, TensorIndex.Single(f));
        }
        return y;
    }
}

/// <summary>An invertible map y → z with log|det ∂z/∂y|, conditioned on a context.</summary>
internal abstract class FlowTransform : nn.Module
{
    protected FlowTransform(string name) : base(name) { }
    public abstract (Tensor z, Tensor logdet) Forward(Tensor y, Tensor c);
    public abstract Tensor Inverse(Tensor z, Tensor c);
}

/// <summary>A normalizing flow onto a standard normal: log q(y|c) = log N(T(y)) + log|det ∂T/∂y|.</summary>
internal sealed class Flow : ConditionalDensity
{
    readonly ModuleList<FlowTransform> transforms = new();

    public Flow(int features, int context, IReadOnlyList<FlowTransform> layers) : base(nameof(Flow), features)
    {
        foreach (var t in layers) transforms.Add(t);
        RegisterComponents();
    }

    public override Tensor LogProb(Tensor y, Tensor c)
    {
        var total = zeros(y.shape[0]);
        foreach (var t in transforms)
        {
            var (z, ld) = t.Forward(y, c);
            (y, total) = (z, total + ld);
        }
        return total - 0.5 * y.pow(2).sum(1) - 0.5 * Features * Math.Log(2 * Math.PI);
    }

    public override Tensor Sample(long n, Tensor c, Generator g)
    {
        var ctx = c.expand(n, c.shape[1]);
        var y = randn(new[] { n, (long)Features }, generator: g);
        for (int i = transforms.Count - 1; i >= 0; i--) y = transforms[i].Inverse(y, ctx);
        return y;
    }
}

/// <summary>MAF's layer (Papamakarios et al. 2017; nflows' MaskedAffineAutoregressiveTransform, then a reversal of
/// the features): z = y·s + b with (s, b) from a MADE of y. s = softplus(a + 0.5413) + 1e-3 (1 at a = 0): nflows'
/// sigmoid(a + 2) + 1e-3 caps s at 1, so that every layer can only contract, and a posterior much narrower than the
/// prior (in z-scored units) is then out of reach.</summary>
internal sealed class AffineAutoregressive : FlowTransform
{
    readonly Made made;
    readonly int features;

    public AffineAutoregressive(int features, int context, EstimatorOptions o) : base(nameof(AffineAutoregressive))
    {
        this.features = features;
        made = new Made(features, context, o.HiddenFeatures, 2);
        RegisterComponents();
    }

    (Tensor scale, Tensor shift) Params(Tensor y, Tensor c)
    {
        var p = made.forward(y, c);
        return (nn.functional.softplus(p[.., .., 0] + 0.5413) + 1e-3, p[.., .., 1]);
    }

    public override (Tensor z, Tensor logdet) Forward(Tensor y, Tensor c)
    {
        var (s, b) = Params(y, c);
        return ((y * s + b).flip(1), s.log().sum(1));
    }

    public override Tensor Inverse(Tensor z, Tensor c)
    {
        z = z.flip(1);
        var y = zeros_like(z);
        for (int i = 0; i < features; i++)   // feature i is right once features < i are
        {
            var (s, b) = Params(y, c);
            y = (z - b) / s;
        }
        return y;
    }
}

/// <summary>NSF's layer (Durkan et al. 2019; nflows' PiecewiseRationalQuadraticCouplingTransform with linear
/// tails): the features of one parity pass unchanged and, with the context, parametrize monotone rational-quadratic
/// splines of the others on [-B, B], identity outside. With one feature the spline depends on the context only.</summary>
internal sealed class SplineCoupling : FlowTransform
{
    const double MinWidth = 1e-3, MinHeight = 1e-3, MinDerivative = 1e-3;
    readonly ResidualNet net;
    readonly long[] identity, transformed;
    readonly Tensor identityIdx, transformedIdx;
    readonly int bins, hidden;
    readonly double bound;

    public SplineCoupling(int features, int context, int layer, EstimatorOptions o) : base(nameof(SplineCoupling))
    {
        (bins, bound, hidden) = (o.NumBins, o.TailBound, o.HiddenFeatures);
        var all = Enumerable.Range(0, features).Select(i => (long)i);
        identity = features == 1 ? Array.Empty<long>() : all.Where(i => (i + layer) % 2 == 0).ToArray();
        transformed = all.Except(identity).ToArray();
        identityIdx = tensor(identity, ScalarType.Int64);
        transformedIdx = tensor(transformed, ScalarType.Int64);
        net = new ResidualNet(identity.Length + context, transformed.Length * (3 * bins - 1), hidden, o.NumBlocks);
        RegisterComponents();
    }

    Tensor Conditioner(Tensor y, Tensor c)
    {
        var input = identity.Length == 0 ? c : cat(new[] { y.index_select(1, identityIdx), c }, 1);
        return net.forward(input).view(y.shape[0], transformed.Length, 3 * bins - 1);
    }

    Tensor Place(Tensor y, Tensor part)
    {
        var result = y.clone();
        result.index_copy_(1, transformedIdx, part);
        return result;
    }

    public override (Tensor z, Tensor logdet) Forward(Tensor y, Tensor c)
    {
        var (out_, ld) = Spline(y.index_select(1, transformedIdx), Conditioner(y, c), inverse: false);
        return (Place(y, out_), ld.sum(1));
    }

    public override Tensor Inverse(Tensor z, Tensor c) =>
        Place(z, Spline(z.index_select(1, transformedIdx), Conditioner(z, c), inverse: true).outputs);

    (Tensor outputs, Tensor logdet) Spline(Tensor x, Tensor p, bool inverse)
    {
        double scale = Math.Sqrt(hidden);
        var uw = p.narrow(2, 0, bins) / scale;
        var uh = p.narrow(2, bins, bins) / scale;
        var ud = p.narrow(2, 2 * bins, bins - 1);
        // Linear tails: the boundary derivatives are 1, so the spline joins the identity smoothly.
        double constant = Math.Log(Math.Exp(1 - MinDerivative) - 1);
        ud = nn.functional.pad(ud, new long[] { 1, 1 }, PaddingModes.Constant, constant);

        var inside = x.ge(-bound).logical_and(x.le(bound));
        var xc = x.clamp(-bound, bound);
        var (cw, w) = Knots(uw, MinWidth);
        var (ch, h) = Knots(uh, MinHeight);
        var deriv = MinDerivative + nn.functional.softplus(ud);

        var locations = inverse ? ch : cw;
        var edges = locations.clone();
        edges[.., .., -1] += 1e-6;
        var bin = (xc.unsqueeze(-1).ge(edges).sum(-1) - 1).clamp(0, bins - 1).unsqueeze(-1);
        Tensor G(Tensor t) => t.gather(-1, bin).squeeze(-1);
        var (icw, iw, ich, ih) = (G(cw), G(w), G(ch), G(h));
        var delta = G(h / w);
        var d0 = G(deriv.narrow(2, 0, bins));
        var d1 = G(deriv.narrow(2, 1, bins));
        var sumd = d0 + d1 - 2 * delta;

        Tensor outputs, theta;
        if (!inverse)
        {
            theta = (xc - icw) / iw;
            var t1m = theta * (1 - theta);
            var numerator = ih * (delta * theta.pow(2) + d0 * t1m);
            var denominator = delta + sumd * t1m;
            outputs = ich + numerator / denominator;
        }
        else
        {
            var dy = xc - ich;
            var a = ih * (delta - d0) + dy * sumd;
            var b = ih * d0 - dy * sumd;
            var cc = -delta * dy;
            var disc = (b.pow(2) - 4 * a * cc).clamp_min(0);
            theta = 2 * cc / (-b - disc.sqrt());
            outputs = theta * iw + icw;
        }
        var tm = theta * (1 - theta);
        var dnum = delta.pow(2) * (d1 * theta.pow(2) + 2 * delta * tm + d0 * (1 - theta).pow(2));
        var logdet = dnum.log() - 2 * (delta + sumd * tm).log();
        if (inverse) logdet = -logdet;
        return (where(inside, outputs, x), where(inside, logdet, zeros_like(logdet)));
    }

    /// <summary>Bin sizes from unnormalized logits (softmax with a floor) and their cumulative knots on [-B, B].</summary>
    (Tensor knots, Tensor sizes) Knots(Tensor unnormalized, double min)
    {
        var s = min + (1 - min * bins) * nn.functional.softmax(unnormalized, -1);
        var k = nn.functional.pad(s.cumsum(-1), new long[] { 1, 0 }, PaddingModes.Constant, 0.0);
        k = 2 * bound * k - bound;
        k = cat(new[] { full_like(k.narrow(2, 0, 1), -bound), k.narrow(2, 1, bins - 1), full_like(k.narrow(2, 0, 1), bound) }, 2);
        return (k, k.narrow(2, 1, bins) - k.narrow(2, 0, bins));
    }
}

/// <summary>A classifier d(θ, x) for SNRE, on z-scored θ and x concatenated (sbi's build_linear_classifier,
/// build_mlp_classifier: two hidden ReLU layers, build_resnet_classifier: a ResidualNet).</summary>
internal sealed class Classifier : nn.Module
{
    readonly nn.Module<Tensor, Tensor> net;

    public Classifier(EstimatorKind kind, int inputs, EstimatorOptions o) : base(nameof(Classifier))
    {
        net = kind switch
        {
            EstimatorKind.Linear => nn.Linear(inputs, 1),
            EstimatorKind.Mlp => new Mlp(inputs, 1, o.HiddenFeatures, 2),
            EstimatorKind.ResNet => new ResidualNet(inputs, 1, o.HiddenFeatures, o.NumBlocks),
            _ => throw new InferenceException($"estimator {kind} is a density estimator; SNRE takes linear, mlp or resnet"),
        };
        RegisterComponents();
    }

    public Tensor Logit(Tensor theta, Tensor x) => net.forward(cat(new[] { theta, x }, 1)).squeeze(1);
}
