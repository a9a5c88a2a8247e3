using System.Management.Automation;

namespace SocketShell.Transformations;

/// <summary>
/// Lets a single-port parameter take an object that carries a port: what Get-AvailablePort (PortInfo),
/// Start-/Get-SocketListener (SocketListener) and Test-Port (PortStatus) write, so
/// <c>Send-Datagram 127.0.0.1 (Get-AvailablePort -Protocol Udp) x</c> binds as a user expects. Numbers and
/// strings pass through to the binder unchanged.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class PortTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData) =>
        PortOf(inputData) is int port ? port : inputData;

    /// <summary>
    /// The Port property of a SocketShell object (or any object whose Port is a whole number), else null;
    /// primitives and strings are not objects that carry a port.
    /// </summary>
    internal static int? PortOf(object? input)
    {
        object? value = input is PSObject pso ? pso.BaseObject : input;
        if (value is null or string or ValueType or System.Collections.IEnumerable)
        {
            return null;
        }

        object? port = PSObject.AsPSObject(value).Properties["Port"]?.Value;
        port = port is PSObject p ? p.BaseObject : port;
        return port switch
        {
            int i => i,
            long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
            ushort u => u,
            string s when int.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int parsed) => parsed,
            _ => null,
        };
    }
}
