using System.Globalization;
using System.Management.Automation;
using System.Net;
using SocketShell.Resources;

namespace SocketShell.Transformations;

/// <summary>
/// Lets -ForwardTo take what users have at hand: <c>'host:port'</c>, <c>'[::1]:8080'</c>, a socket path,
/// an <see cref="IPEndPoint"/>, a <see cref="DnsEndPoint"/> or a <see cref="ForwardTarget"/> (also one
/// deserialised from a job or remoting). A target without a port or with a bad host fails parameter
/// binding, before anything binds, with the reason in the message.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ForwardTargetTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
        try
        {
            switch (value)
            {
                case ForwardTarget target:
                    return target;
                case EndPoint endPoint:
                    return ForwardTarget.FromEndPoint(endPoint);
                case string text:
                    return ForwardTarget.Parse(text);
                case PSCustomObject when inputData is PSObject bag && bag.Properties["Port"] is { } port:
                    // A ForwardTarget that travelled through a job or remoting comes back as a property bag.
                    string? path = bag.Properties["Path"]?.Value as string;
                    return path is not null
                        ? ForwardTarget.Parse(path)
                        : new ForwardTarget(bag.Properties["Host"]?.Value as string ?? string.Empty, Convert.ToInt32(port.Value, CultureInfo.InvariantCulture));
                default:
                    throw new FormatException($"A {value?.GetType().Name ?? "null"} is not a forward target.");
            }
        }
        catch (FormatException e)
        {
            throw new ArgumentTransformationMetadataException(string.Format(CultureInfo.CurrentCulture, Messages.ForwardTargetInvalid, e.Message), e);
        }
    }
}
