using NeuroNative.Backends.Cpp;
using NeuroNative.Backends.Cuda;
using NeuroNative.Backends.Interpreter;
using NeuroNative.Models.Integrators;
using NeuroNative.Models.Reporting;

namespace NeuroNative.Backends;

/// <summary>What <see cref="CodeListing.Print"/> shows of a step program.</summary>
public enum CodegenTarget
{
    /// <summary>The step program's IR, with the model's names.</summary>
    Ir,
    /// <summary>The interpreter's instructions.</summary>
    Bytecode,
    /// <summary>The compiled backend's C++ (float64).</summary>
    Cpp,
    /// <summary>The GPU backend's CUDA kernel (float64), one translation unit.</summary>
    Cuda,
    /// <summary>The Markdown model report.</summary>
    Report,
}

/// <summary>The code generated for a model, as text.</summary>
public static class CodeListing
{
    /// <param name="title">Names the model in the headings (the experiment file's name).</param>
    public static string Print(StepProgram program, CodegenTarget target, string title) => target switch
    {
        CodegenTarget.Ir => IrListing.Write(program, title),
        CodegenTarget.Bytecode => BytecodeListing.Write(program, title),
        CodegenTarget.Cpp => CppCodeGenerator.Generate(program, Precision.Float64).Code,
        CodegenTarget.Cuda => CudaCodeGenerator.Generate(program, Precision.Float64).Code,
        _ => ModelReport.Markdown(program, title),
    };
}
