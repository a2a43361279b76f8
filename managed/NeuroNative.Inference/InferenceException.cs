namespace NeuroNative.Inference;

/// <summary>Bad input to inference (bounds, observations, features, a posterior file) or an unusable LibTorch;
/// the message names the argument, file or symbol and what was expected.</summary>
public sealed class InferenceException : Exception
{
    public InferenceException(string message) : base(message) { }
    public InferenceException(string message, Exception inner) : base(message, inner) { }
}
