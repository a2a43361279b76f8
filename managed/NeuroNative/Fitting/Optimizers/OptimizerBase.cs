namespace NeuroNative.Fitting.Optimizers;

/// <summary>
/// The ask/tell protocol every built-in optimizer shares: argument and call-order checks, the mapping from the
/// unit cube to the parameter space, non-finite errors read as +∞, and the best evaluation so far. A method
/// implements <see cref="Start"/>, <see cref="Propose"/> and <see cref="Learn"/> in unit coordinates.
/// </summary>
public abstract class OptimizerBase : IOptimizer
{
    private ParameterSpace? _space;
    private RandomStream? _random;
    private double[][]? _pendingUnit;
    private double[][]? _pendingBatch;

    private protected OptimizerBase() { }

    public abstract string Method { get; }

    public Evaluation? Best { get; private set; }

    /// <summary>The size every Ask returns, as <see cref="Initialize"/> returned it.</summary>
    public int PopulationSize { get; private set; }

    public int Initialize(ParameterSpace space, int? populationSize, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (populationSize is < 1)
            throw new ArgumentOutOfRangeException(nameof(populationSize), populationSize, $"{Method}: the population size must be at least 1.");
        _space = space;
        _random = new RandomStream(seed);
        _pendingUnit = _pendingBatch = null;
        Best = null;
        PopulationSize = Start(space.Dimension, populationSize);
        return PopulationSize;
    }

    public IReadOnlyList<double[]> Ask()
    {
        if (_space is null) throw new InvalidOperationException($"{Method}: Ask before Initialize.");
        if (_pendingUnit is not null)
            throw new InvalidOperationException($"{Method}: Ask again before the previous batch was told; Tell its errors first.");
        var unit = Propose();
        if (unit.Length != PopulationSize)
            throw new InvalidOperationException($"{Method} proposed {unit.Length} points for a population of {PopulationSize}.");
        // Clamped here, so that Learn gets the points that were evaluated.
        foreach (var u in unit)
            for (int j = 0; j < u.Length; j++) u[j] = Math.Clamp(u[j], 0, 1);
        _pendingUnit = unit;
        _pendingBatch = unit.Select(u => _space.FromUnit(u)).ToArray();
        return _pendingBatch.Select(x => (double[])x.Clone()).ToArray();
    }

    public void Tell(IReadOnlyList<double[]> batch, IReadOnlyList<double> errors)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(errors);
        if (_space is null) throw new InvalidOperationException($"{Method}: Tell before Initialize.");
        if (_pendingUnit is null || _pendingBatch is null)
            throw new InvalidOperationException($"{Method}: Tell without a pending Ask; each batch is told once.");
        if (batch.Count != _pendingBatch.Length)
            throw new ArgumentException($"{Method}: Tell got a batch of {batch.Count} vectors; the last Ask returned {_pendingBatch.Length}.", nameof(batch));
        if (errors.Count != batch.Count)
            throw new ArgumentException($"{Method}: Tell got {errors.Count} errors for a batch of {batch.Count}.", nameof(errors));
        for (int i = 0; i < batch.Count; i++)
            if (batch[i] is null || !batch[i].AsSpan().SequenceEqual(_pendingBatch[i]))
                throw new ArgumentException($"{Method}: vector {i} of the told batch is not the one the last Ask returned.", nameof(batch));

        var clean = new double[errors.Count];
        for (int i = 0; i < clean.Length; i++)
        {
            clean[i] = double.IsFinite(errors[i]) ? errors[i] : double.PositiveInfinity;
            if (Best is null || clean[i] < Best.Error) Best = new Evaluation(Array.AsReadOnly((double[])_pendingBatch[i].Clone()), clean[i]);
        }
        var unit = _pendingUnit;
        _pendingUnit = _pendingBatch = null;
        Learn(unit, clean);
    }

    private protected RandomStream Random => _random ?? throw new InvalidOperationException($"{Method} is not initialized.");

    /// <summary>Resets the method's state for a space of <paramref name="dimension"/> and returns its population size.</summary>
    private protected abstract int Start(int dimension, int? requested);

    /// <summary>The next batch in unit coordinates (clamped to [0, 1] before it is handed out).</summary>
    private protected abstract double[][] Propose();

    /// <summary>The errors of the last proposed batch, non-finite ones already +∞.</summary>
    private protected abstract void Learn(double[][] batch, double[] errors);

    /// <summary>The population of a method: its popsize option, else the fitter's request, else its default — at least <paramref name="minimum"/>.</summary>
    private protected static int PopulationOf(int? option, int? requested, int fallback, int minimum) =>
        Math.Max(option ?? requested ?? fallback, minimum);

    /// <summary>The index of the smallest value, the first on ties.</summary>
    private protected static int ArgMin(double[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] < values[best]) best = i;
        return best;
    }
}
