namespace NeuroNative.Interop;

/// <summary>One bytecode section of <c>nn_model_desc</c>: <see cref="Code"/> holds 5 int32 per instruction
/// ({ opcode, dst, a, b, c }); an empty array is an unused section unless <see cref="Defined"/> says that its
/// code is in a compiled kernel library (NN_SECTION_DEFINED).</summary>
internal sealed record NativeSection(int[] Code, int Temps, int Outputs, bool Defined = false)
{
    public static readonly NativeSection Empty = new([], 0, 0);
}

/// <summary>An <c>nn_operation</c>: statements on every neuron in nn_slot <see cref="Slot"/>, every <see cref="Dt"/>
/// seconds (0: every step).</summary>
internal sealed record NativeOperation(NativeSection Code, int Slot, double Dt);

/// <summary>The managed mirror of <c>nn_model_desc</c> that <see cref="Native.ModelCreate"/> marshals.
/// Counts come from the arrays (n_state = StateNames.Length, n_stages = RkB.Length for explicit RK, else 1,
/// n_observables = ObservableNames.Length = Observables.Outputs);
/// only what no array carries is given explicitly.</summary>
internal sealed record NativeModelDescription(
    string[] StateNames,
    string[] ParamNames,
    int NoiseCount,
    int InputCount,
    double[] Constants,
    nn_method Method,
    double[] RkA,
    double[] RkB,
    double[] RkC,
    nn_state_flag[] StateFlags,
    nn_refractory_kind Refractory,
    bool HasThreshold,
    NativeSection Derivatives,
    NativeSection Noise,
    NativeSection Linear,
    NativeSection Threshold,
    NativeSection Reset,
    NativeSection RefractoryExpr,
    NativeSection[] Events,
    NativeSection Observables,
    string[] ObservableNames,
    NativeOperation[] Operations,
    int SampleAfter)
{
    /// <summary>Identifies the equations beyond the structure (nn_model_desc.model_hash), checked by snapshots.</summary>
    public string? ModelHash { get; init; }
}
