using System.Management.Automation;
using System.Net;

namespace SocketShell.Transformations;

/// <summary>
/// Lets a host parameter take addresses from objects such as Get-SystemSocket's (bound by the
/// LocalAddress property): an address is used as its text, and a wildcard listening address, which
/// cannot be connected to as such, becomes the loopback address of its family (0.0.0.0 → 127.0.0.1,
/// :: → ::1), so <c>Get-SystemSocket -Listening | Test-Port</c> probes the local listeners. Typed
/// strings are left exactly as typed.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ListeningAddressTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
        return value switch
        {
            IPAddress address => new[] { Connectable(address) },
            IPAddress[] addresses => Array.ConvertAll(addresses, Connectable),
            _ => inputData,
        };
    }

    private static string Connectable(IPAddress address) =>
        address.Equals(IPAddress.Any) ? IPAddress.Loopback.ToString()
        : address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback.ToString()
        : address.ToString();
}
