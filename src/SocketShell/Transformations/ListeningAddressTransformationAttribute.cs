using System.Management.Automation;
using System.Net;

namespace SocketShell.Transformations;

/// <summary>
/// Lets a host parameter take addresses from objects such as Get-SystemSocket's (bound by the
/// LocalAddress property): an address is used as its text, and a wildcard listening address, which
/// cannot be connected to as such, becomes the loopback address of its family (0.0.0.0 → 127.0.0.1,
/// :: → ::1; as an address or as the exact text "0.0.0.0" / "::" that Get-SystemSocket's LocalAddress
/// carries), so <c>Get-SystemSocket -Listening | Test-Port</c> probes the local listeners. Any other
/// text is left exactly as typed.
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
            IPAddress address => Connectable(address),
            IPAddress[] addresses => Array.ConvertAll(addresses, Connectable),
            string text => Connectable(text),
            string[] texts => Array.ConvertAll(texts, Connectable),
            object[] items when Array.TrueForAll(items, i => (i is PSObject p ? p.BaseObject : i) is string or IPAddress) =>
                Array.ConvertAll(items, i => (i is PSObject p ? p.BaseObject : i) is IPAddress a ? Connectable(a) : Connectable((string)(i is PSObject q ? q.BaseObject : i))),
            _ => inputData,
        };
    }

    /// <summary>
    /// The wildcard addresses written exactly as the socket table and listeners write them ("0.0.0.0", "::")
    /// become loopback; every other text stays as typed (so a shorthand such as "0" is still refused later).
    /// </summary>
    private static string Connectable(string text) => text switch
    {
        "0.0.0.0" => IPAddress.Loopback.ToString(),
        "::" or "[::]" => IPAddress.IPv6Loopback.ToString(),
        _ => text,
    };

    private static string Connectable(IPAddress address) =>
        address.Equals(IPAddress.Any) ? IPAddress.Loopback.ToString()
        : address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback.ToString()
        : address.ToString();
}
