using TorchSharp;
using static TorchSharp.torch;

namespace NeuroNative.Inference;

/// <summary>sbi's inference object (SNPE_C, SNLE_A, SNRE_B): simulations are appended round by round, each
/// <see cref="Train"/> continues the same network on all of them, <see cref="BuildPosterior"/> wraps it.
/// Seeded: the same seed, data and thread count (<see cref="TorchRuntime"/>) give the same weights.</summary>
public sealed class NeuralInference
{
    readonly List<float[]> thetaRows = new(), xRows = new();
    readonly EstimatorOptions estimatorOptions;
    readonly TrainingOptions training;
    readonly int seed;
    NeuralEstimator? estimator;
    optim.Optimizer? optimizer;
    bool anyProposal;
    int round;

    public NeuralInference(InferenceMethod method, EstimatorKind estimator, IPrior prior, int seed = 0,
                           EstimatorOptions? estimatorOptions = null, TrainingOptions? training = null)
    {
        TorchRuntime.EnsureLoaded(TorchRuntime.Threads);
        if (method == InferenceMethod.SNRE != estimator.IsClassifier())
            throw new InferenceException(method == InferenceMethod.SNRE
                ? $"estimator {estimator}: SNRE takes a classifier (linear, mlp, resnet)"
                : $"estimator {estimator}: {method} takes a density estimator (mdn, made, maf, nsf)");
        (Method, Kind, Prior, this.seed) = (method, estimator, prior, seed);
        this.estimatorOptions = estimatorOptions ?? new EstimatorOptions();
        if (this.estimatorOptions.Embedding is { } embedding) Embeddings.Check(embedding, method);   // before any simulation
        this.training = training ?? new TrainingOptions();
    }

    public InferenceMethod Method { get; }
    public EstimatorKind Kind { get; }
    public IPrior Prior { get; }
    public int Simulations => thetaRows.Count;

    /// <summary>Adds simulations: θ [n, D] in the prior's order and their features x [n, F]. A
    /// <paramref name="fromProposal"/> round (θ drawn from an earlier posterior) switches SNPE to the atomic loss.</summary>
    public void AppendSimulations(double[,] theta, double[,] x, bool fromProposal = false)
    {
        int n = theta.GetLength(0), d = theta.GetLength(1), f = x.GetLength(1);
        if (d != Prior.Names.Count) throw new InferenceException($"theta has {d} columns; the prior has {Prior.Names.Count} parameters");
        if (x.GetLength(0) != n) throw new InferenceException($"theta has {n} rows but x has {x.GetLength(0)}");
        if (xRows.Count > 0 && xRows[0].Length != f) throw new InferenceException($"x has {f} features; earlier rounds had {xRows[0].Length}");
        for (int i = 0; i < n; i++)
        {
            var tr = new float[d];
            var xr = new float[f];
            for (int j = 0; j < d; j++) tr[j] = (float)theta[i, j];
            for (int j = 0; j < f; j++)
            {
                if (!double.IsFinite(x[i, j])) throw new InferenceException($"x[{i}, {j}] (simulation {i}, feature {j}) is {x[i, j]}; features must be finite");
                xr[j] = (float)x[i, j];
            }
            thetaRows.Add(tr);
            xRows.Add(xr);
        }
        anyProposal |= fromProposal;
    }

    static Tensor Stack(List<float[]> rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), new long[] { rows.Count, rows[0].Length });

    /// <summary>Trains on every simulation appended so far (sbi's train()).</summary>
    public TrainingSummary Train(IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (thetaRows.Count < 2) throw new InferenceException($"training needs at least 2 simulations; {thetaRows.Count} were appended");
        var started = DateTime.UtcNow;
        round++;
        var theta = Stack(thetaRows);
        var x = Stack(xRows);
        if (estimator is null)
        {
            // The initial weights come from LibTorch's process-wide generator: seeded and used under one lock.
            lock (TorchRuntime.Gate)
            {
                torch.manual_seed(seed);
                estimator = new NeuralEstimator(Method, Kind, (int)theta.shape[1], (int)x.shape[1], estimatorOptions, theta, x);
            }
            optimizer = optim.Adam(estimator.parameters(), training.LearningRate);
        }
        var g = new Generator((ulong)(seed * 1000L + round));
        long n = theta.shape[0];
        long nVal = Math.Clamp((long)Math.Round(n * training.ValidationFraction), 1, n - 1);
        var perm = randperm(n, generator: g);
        var valIdx = perm.narrow(0, 0, nVal);
        var trainIdx = perm.narrow(0, nVal, n - nVal);
        double best = double.PositiveInfinity;
        Dictionary<string, Tensor>? bestState = null;
        int epoch = 0, since = 0;
        while (epoch < training.MaxEpochs && since < training.StopAfterEpochs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            epoch++;
            estimator.train();
            var order = trainIdx.index_select(0, randperm(trainIdx.shape[0], generator: g));
            double sum = 0;
            for (long s = 0; s < order.shape[0]; s += training.BatchSize)
            {
                using var scope = NewDisposeScope();
                var idx = order.narrow(0, s, Math.Min(training.BatchSize, order.shape[0] - s));
                var loss = Loss(theta.index_select(0, idx), x.index_select(0, idx), g).mean();
                optimizer!.zero_grad();
                loss.backward();
                nn.utils.clip_grad_norm_(estimator.parameters(), training.ClipMaxNorm);
                optimizer.step();
                sum += loss.item<float>() * idx.shape[0];
            }
            double val = Validate(theta, x, valIdx, g);
            if (val < best)
            {
                best = val;
                since = 0;
                bestState = estimator.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
            }
            else since++;
            progress?.Report(new TrainingProgress(round, epoch, sum / order.shape[0], val));
        }
        if (bestState is not null) estimator.load_state_dict(bestState);
        if (double.IsNaN(best) || double.IsPositiveInfinity(best))
            throw new InferenceException($"training diverged in round {round} (validation loss {best}); check the features for outliers");
        return new TrainingSummary(round, epoch, best, (int)n, DateTime.UtcNow - started);
    }

    double Validate(Tensor theta, Tensor x, Tensor valIdx, Generator g)
    {
        estimator!.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        double sum = 0;
        for (long s = 0; s < valIdx.shape[0]; s += training.BatchSize)
        {
            var idx = valIdx.narrow(0, s, Math.Min(training.BatchSize, valIdx.shape[0] - s));
            sum += Loss(theta.index_select(0, idx), x.index_select(0, idx), g).sum().item<float>();
        }
        return sum / valIdx.shape[0];
    }

    /// <summary>Per-sample losses: SNPE −log q(θ|x) (first round) or APT's atomic loss (Greenberg et al. 2019)
    /// once θ came from a proposal; SNLE −log q(x|θ); SNRE-B the contrastive loss over atoms (Durkan et al. 2020).</summary>
    Tensor Loss(Tensor theta, Tensor x, Generator g)
    {
        long b = theta.shape[0];
        bool atomic = Method == InferenceMethod.SNRE || (Method == InferenceMethod.SNPE && anyProposal);
        if (!atomic || b < 2) return -estimator!.Score(theta, x);
        long atoms = Math.Min(training.NumAtoms, b);
        // Each row's contrasting θ: atoms − 1 other rows of the batch, drawn without replacement.
        var probs = (ones(b, b) - eye(b)) / (b - 1);
        var others = multinomial(probs, atoms - 1, replacement: false, generator: g);
        var set = cat(new[] { theta.unsqueeze(1), theta.index_select(0, others.flatten()).view(b, atoms - 1, -1) }, 1);
        var flat = set.view(b * atoms, -1);
        var score = estimator!.Score(flat, x, repeats: atoms).view(b, atoms);
        if (Method == InferenceMethod.SNPE) score = score - Prior.LogProb(flat).view(b, atoms);
        return -(score[.., 0] - logsumexp(score, 1));
    }

    /// <summary>The posterior of the network trained last; <paramref name="observation"/> is the default x.</summary>
    public Posterior BuildPosterior(double[]? observation = null, McmcOptions? mcmc = null)
    {
        if (estimator is null) throw new InferenceException("BuildPosterior before Train: train the estimator first");
        return new Posterior(estimator, Prior, observation, mcmc ?? new McmcOptions(), estimatorOptions);
    }
}
