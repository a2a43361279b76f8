using TorchSharp;
using static TorchSharp.torch;

namespace NeuroNative.Inference;

/// <summary>sbi's inference object (SNPE_C, SNLE_A, SNRE_B): simulations are appended round by round, each
/// <see cref="Train"/> continues the same network on all of them, <see cref="BuildPosterior"/> wraps it.
/// Seeded: the same seed, data and thread count (<see cref="TorchRuntime"/>) give the same weights.</summary>
public sealed class NeuralInference
{
    readonly List<ISimulationBlock> blocks = new();
    readonly EstimatorOptions estimatorOptions;
    readonly TrainingOptions training;
    readonly int seed;
    NeuralEstimator? estimator;
    FlatAdam? optimizer;
    bool anyProposal;
    int round, xDim;
    (float[] Theta, float[] X) buffers = ([], []);

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
    public int Simulations { get; private set; }

    /// <summary>Adds simulations: θ [n, D] in the prior's order and their features x [n, F], kept as float32 blocks of
    /// <paramref name="blockSize"/> rows (what a store's chunks are: the same data trains to the same weights either way).
    /// A <paramref name="fromProposal"/> round (θ drawn from an earlier posterior) switches SNPE to the atomic loss.</summary>
    public void AppendSimulations(double[,] theta, double[,] x, bool fromProposal = false, int blockSize = SimulationStore.DefaultChunkSize)
    {
        if (theta.GetLength(1) != Prior.Names.Count) throw new InferenceException($"theta has {theta.GetLength(1)} columns; the prior has {Prior.Names.Count} parameters");
        AppendSimulations(SimulationData.FromArrays(theta, x, blockSize), fromProposal);
    }

    /// <summary>Adds simulations in blocks (a <see cref="SimulationStore"/>'s chunks are read from disk whenever training
    /// needs them; only the blocks are kept).</summary>
    public void AppendSimulations(SimulationData data, bool fromProposal = false)
    {
        if (data.ThetaDim != Prior.Names.Count) throw new InferenceException($"theta has {data.ThetaDim} columns; the prior has {Prior.Names.Count} parameters");
        if (blocks.Count > 0 && data.XDim != xDim) throw new InferenceException($"x has {data.XDim} features; earlier rounds had {xDim}");
        xDim = data.XDim;
        blocks.AddRange(data.Blocks);
        Simulations += data.Count;
        anyProposal |= fromProposal;
    }

    /// <summary>Trains on every simulation appended so far (sbi's train()). Data are read a block at a time: each epoch
    /// visits the blocks in a seeded order and each block's training rows in a seeded order, batches running on across
    /// blocks; the validation rows (a seeded <see cref="TrainingOptions.ValidationFraction"/> of each block) stay fixed.</summary>
    public TrainingSummary Train(IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (Simulations < 2) throw new InferenceException($"training needs at least 2 simulations; {Simulations} were appended");
        var started = DateTime.UtcNow;
        round++;
        int d = Prior.Names.Count;
        if (estimator is null)
        {
            var zscore = Moments(d);
            // The initial weights come from LibTorch's process-wide generator: seeded and used under one lock.
            lock (TorchRuntime.Gate)
            {
                torch.manual_seed(seed);
                estimator = new NeuralEstimator(Method, Kind, d, xDim, estimatorOptions, zscore);
            }
            optimizer = new FlatAdam(estimator.parameters(), training.LearningRate);
        }
        var g = new Generator((ulong)(seed * 1000L + round));
        var (validation, train) = Split(g);
        long nTrain = train.Sum(t => (long)t.Length), nVal = validation.Sum(v => (long)v.Length);
        double best = double.PositiveInfinity;
        Dictionary<string, Tensor>? bestState = null;
        int epoch = 0, since = 0;
        while (epoch < training.MaxEpochs && since < training.StopAfterEpochs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            epoch++;
            estimator.train();
            var order = Permutation(blocks.Count, g);
            var sequence = order.Select(b => (b, Shuffled(train[b], g))).ToList();
            double sum = 0;
            Batches(sequence, (theta, x) =>
            {
                var loss = Loss(theta, x, g).mean();
                optimizer!.ZeroGrad();
                loss.backward();
                optimizer.Step(training.ClipMaxNorm);
                sum += loss.item<float>() * theta.shape[0];
            }, cancellationToken);
            double val = Validate(validation, nVal, g, cancellationToken);
            if (val < best)
            {
                best = val;
                since = 0;
                bestState = estimator.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
            }
            else since++;
            progress?.Report(new TrainingProgress(round, epoch, sum / nTrain, val));
        }
        if (bestState is not null) estimator.load_state_dict(bestState);
        if (double.IsNaN(best) || double.IsPositiveInfinity(best))
            throw new InferenceException($"training diverged in round {round} (validation loss {best}); check the features for outliers");
        return new TrainingSummary(round, epoch, best, Simulations, DateTime.UtcNow - started);
    }

    /// <summary>sbi's z-scoring moments (mean, unbiased standard deviation per column) of every simulation appended
    /// before the first training, in double, one block at a time (Welford's update, in block and row order).</summary>
    ZScore Moments(int d)
    {
        var (tm, tq, xm, xq) = (new double[d], new double[d], new double[xDim], new double[xDim]);
        long n = 0;
        var (theta, x) = Buffers(d);
        foreach (var block in blocks)
        {
            block.Read(theta, x);
            for (int i = 0; i < block.Rows; i++)
            {
                n++;
                Update(theta.AsSpan(i * d, d), tm, tq, n);
                Update(x.AsSpan(i * xDim, xDim), xm, xq, n);
            }
        }
        static void Update(ReadOnlySpan<float> row, double[] mean, double[] m2, long n)
        {
            for (int j = 0; j < row.Length; j++)
            {
                double delta = row[j] - mean[j];
                mean[j] += delta / n;
                m2[j] += delta * (row[j] - mean[j]);
            }
        }
        double[] Std(double[] m2) => [.. m2.Select(v => Math.Max(Math.Sqrt(v / (n - 1)), 1e-14))];
        if (estimatorOptions.Embedding is null) return new ZScore(tm, Std(tq), xm, Std(xq));
        // An embedding sees x z-scored as a whole (sbi's "structured"): one mean and standard deviation over every
        // entry, from the columns' (a sample no simulation changes would have a deviation of zero of its own).
        double mean = xm.Average(), sum = 0;
        for (int j = 0; j < xDim; j++) sum += xq[j] + n * (xm[j] - mean) * (xm[j] - mean);
        double std = Math.Max(Math.Sqrt(sum / (n * (double)xDim - 1)), 1e-14);
        return new ZScore(tm, Std(tq), [.. Enumerable.Repeat(mean, xDim)], [.. Enumerable.Repeat(std, xDim)]);
    }

    /// <summary>Per block, a seeded permutation of its rows: the first round(rows · fraction) validate, the rest train.
    /// At least one row of all validates and one trains.</summary>
    (int[][] Validation, int[][] Train) Split(Generator g)
    {
        var perms = blocks.Select(b => Permutation(b.Rows, g)).ToArray();
        var nVal = blocks.Select(b => (int)Math.Round(b.Rows * training.ValidationFraction)).ToArray();
        if (nVal.Sum() == 0) nVal[0] = 1;
        if (nVal.Sum() == Simulations) nVal[Array.FindIndex(nVal, v => v > 0)]--;
        return ([.. perms.Select((p, b) => p[..nVal[b]])], [.. perms.Select((p, b) => p[nVal[b]..])]);
    }

    /// <summary>θ and x buffers for the largest block, allocated once: a store's blocks are read again every epoch,
    /// and fresh large arrays each time would keep the GC busy (see also <see cref="TorchRuntime"/>).</summary>
    (float[] Theta, float[] X) Buffers(int d)
    {
        int rows = blocks.Max(b => b.Rows);
        if (buffers.Theta.Length < rows * d || buffers.X.Length < rows * xDim) buffers = (new float[rows * d], new float[rows * xDim]);
        return buffers;
    }

    static int[] Permutation(int n, Generator g)
    {
        using var p = randperm(n, generator: g);
        return Array.ConvertAll(p.data<long>().ToArray(), v => (int)v);
    }

    static int[] Shuffled(int[] rows, Generator g) => Array.ConvertAll(Permutation(rows.Length, g), i => rows[i]);

    /// <summary>Calls <paramref name="step"/> on consecutive batches of <see cref="TrainingOptions.BatchSize"/> rows in
    /// the order of <paramref name="sequence"/> (block, its rows); one block is read at a time.</summary>
    void Batches(IEnumerable<(int Block, int[] Rows)> sequence, Action<Tensor, Tensor> step, CancellationToken cancellationToken)
    {
        int size = training.BatchSize, filled = 0, d = Prior.Names.Count;
        var pieces = new List<(Tensor Theta, Tensor X)>();
        var (theta, x) = Buffers(d);
        void Flush()
        {
            using (var scope = NewDisposeScope())
            {
                var theta = pieces.Count == 1 ? pieces[0].Theta : cat(pieces.Select(p => p.Theta).ToList(), 0);
                var x = pieces.Count == 1 ? pieces[0].X : cat(pieces.Select(p => p.X).ToList(), 0);
                step(theta, x);
            }
            foreach (var (t, x) in pieces) { t.Dispose(); x.Dispose(); }
            pieces.Clear();
            filled = 0;
        }
        foreach (var (b, rows) in sequence)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (rows.Length == 0) continue;
            blocks[b].Read(theta, x);
            using var bt = tensor(theta, new long[] { theta.Length / d, d });
            using var bx = tensor(x, new long[] { x.Length / xDim, xDim });
            for (int at = 0; at < rows.Length;)
            {
                int take = Math.Min(size - filled, rows.Length - at);
                using var idx = tensor(Array.ConvertAll(rows[at..(at + take)], i => (long)i));
                pieces.Add((bt.index_select(0, idx), bx.index_select(0, idx)));
                (filled, at) = (filled + take, at + take);
                if (filled == size) Flush();
            }
        }
        if (filled > 0) Flush();
    }

    double Validate(int[][] validation, long n, Generator g, CancellationToken cancellationToken)
    {
        estimator!.eval();
        using var _ = no_grad();
        double sum = 0;
        Batches(validation.Select((rows, b) => (b, rows)), (theta, x) => sum += Loss(theta, x, g).sum().item<float>(), cancellationToken);
        return sum / n;
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
