namespace NeuroNative.Inference;

/// <summary>sbi's train() defaults: batches of 200, Adam at 5e-4, 10 % held out for validation, stop after 20
/// epochs without a better validation loss (the best weights are kept), gradients clipped to norm 5.</summary>
public sealed record TrainingOptions
{
    public int BatchSize { get; init; } = 200;
    public double LearningRate { get; init; } = 5e-4;
    public double ValidationFraction { get; init; } = 0.1;
    public int StopAfterEpochs { get; init; } = 20;
    public int MaxEpochs { get; init; } = int.MaxValue;
    public double ClipMaxNorm { get; init; } = 5.0;
    /// <summary>Atoms per contrastive set: SNPE-C's atomic loss in later rounds and SNRE-B's loss.</summary>
    public int NumAtoms { get; init; } = 10;
}

/// <summary>After each epoch: the epoch (from 1), the mean training and validation losses.</summary>
public readonly record struct TrainingProgress(int Round, int Epoch, double TrainingLoss, double ValidationLoss);

public sealed record TrainingSummary(int Round, int Epochs, double BestValidationLoss, int TrainingSimulations, TimeSpan Elapsed);

/// <summary>sbi's MCMC defaults for SNLE and SNRE posteriors ("slice_np_vectorized"): 20 chains, 200 warm-up
/// steps per chain, every draw kept, chains started from prior draws resampled by their potential ("resample").</summary>
public sealed record McmcOptions
{
    public int NumChains { get; init; } = 20;
    public int WarmupSteps { get; init; } = 200;
    public int Thin { get; init; } = 1;
    public int InitCandidates { get; init; } = 1000;
}
