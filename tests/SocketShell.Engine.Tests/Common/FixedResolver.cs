using System.Net;
using SocketShell.Common;

namespace SocketShell.Engine.Tests.Common;

/// <summary>
/// A resolver for the engine's options seam (<see cref="HostResolve"/>): every name resolves to the
/// given loopback addresses in the given order, and each call is counted. Lets tests fix the order of a
/// dual-stack name without DNS while taking the same path as users.
/// </summary>
public sealed class FixedResolver(params IPAddress[] addresses)
{
    private int _calls;

    /// <summary>How many times the engine asked.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The delegate to put into the options.</summary>
    public HostResolve Resolve => (_, _, cancellationToken) =>
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _calls);
        return Task.FromResult(addresses);
    };
}
