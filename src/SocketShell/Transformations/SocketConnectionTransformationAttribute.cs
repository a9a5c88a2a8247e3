using System.Globalization;
using System.Management.Automation;
using SocketShell.Resources;

namespace SocketShell.Transformations;

/// <summary>
/// Guards a <see cref="SocketConnection"/> parameter against a <see cref="SocketListener"/>: binding a
/// listener where a connection is read (e.g. <c>Receive-SocketData $listener -Line</c>) fails with a
/// message saying how a listener is read, instead of the binder's type-conversion message.
/// Anything else is passed on untouched for the binder to judge.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SocketConnectionTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
        if (value is SocketListener listener)
        {
            throw new ArgumentTransformationMetadataException(
                string.Format(CultureInfo.CurrentCulture, Messages.ListenerGivenAsSocket, listener.Name));
        }

        return inputData;
    }
}
