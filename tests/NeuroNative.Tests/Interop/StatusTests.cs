using NeuroNative.Interop;
using Xunit;
using static NeuroNative.Interop.nn_status_code;

namespace NeuroNative.Tests.Interop;

public class StatusTests
{
    [Theory]
    [InlineData((int)NN_ERR_INVALID_ARGUMENT, typeof(ArgumentException))]
    [InlineData((int)NN_ERR_INVALID_HANDLE, typeof(NeuroNativeException))]
    [InlineData((int)NN_ERR_OUT_OF_MEMORY, typeof(OutOfMemoryException))]
    [InlineData((int)NN_ERR_NUMERICAL, typeof(SimulationDivergedException))]
    [InlineData((int)NN_ERR_IO, typeof(IOException))]
    [InlineData((int)NN_ERR_CANCELLED, typeof(OperationCanceledException))]
    [InlineData((int)NN_ERR_COMPILE, typeof(KernelCompilationException))]
    [InlineData((int)NN_ERR_INVALID_STATE, typeof(InvalidOperationException))]
    [InlineData((int)NN_ERR_INTERNAL, typeof(NeuroNativeException))]
    public void Each_error_status_maps_to_one_exception_type(int code, Type expected)
    {
        var e = Status.ToException(code, "v became NaN at neuron 3, t = 1.5 ms");
        Assert.IsType(expected, e);
        Assert.Equal("v became NaN at neuron 3, t = 1.5 ms", e.Message.Split(Environment.NewLine)[0]);
        if (e is NeuroNativeException native)
            Assert.Equal(code, native.StatusCode);
    }

    [Fact]
    public void Empty_message_names_the_status()
    {
        Assert.Equal("native call failed with NN_ERR_IO", Status.ToException((int)NN_ERR_IO, "").Message);
    }

    [Fact]
    public void Cancellation_carries_the_token()
    {
        using var cts = new CancellationTokenSource();
        var e = Assert.IsType<OperationCanceledException>(Status.ToException((int)NN_ERR_CANCELLED, "stopped", cts.Token));
        Assert.Equal(cts.Token, e.CancellationToken);
    }

    [Fact]
    public void Ok_and_informational_statuses_do_not_throw()
    {
        Status.Check((int)NN_OK);
        Status.Check(1);
    }

    [Fact]
    public void Check_throws_for_error_statuses()
    {
        // A fresh thread, whose last-error message no failed call of another test has set.
        Exception? e = null;
        var thread = new Thread(() => e = Record.Exception(() => Status.Check((int)NN_ERR_INVALID_STATE)));
        thread.Start();
        thread.Join();
        Assert.Equal("native call failed with NN_ERR_INVALID_STATE", Assert.IsType<InvalidOperationException>(e).Message);
    }
}
