using System.Collections;
using System.Globalization;
using System.Management.Automation;
using SocketShell.Common;
using SocketShell.Resources;

namespace SocketShell.Transformations;

/// <summary>
/// Lets an <c>int[]</c> port parameter take lists and ranges as strings: <c>'22,80,8000-8100'</c>,
/// alongside numbers and arrays (<c>1..1024</c>). A token that is not a port, or a port outside
/// 0–65535, fails parameter binding with that token in the message.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class PortListTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object? value = Unwrap(inputData);
        if (value is int[] alreadyInts)
        {
            return alreadyInts; // validated by ValidateRange on the parameter.
        }

        if (!IsPortLike(value))
        {
            // An object that carries a port (PortInfo from Get-AvailablePort, a SocketListener, a
            // PortStatus), or an array of them, gives its Port: Test-Port 127.0.0.1 (Get-AvailablePort).
            if (PortTransformationAttribute.PortOf(value) is int port)
            {
                return new[] { port };
            }

            if (value is object[] carriers && carriers.Length > 0 && Array.TrueForAll(carriers, c => PortTransformationAttribute.PortOf(c) is not null))
            {
                return Array.ConvertAll(carriers, c => PortTransformationAttribute.PortOf(c)!.Value);
            }

            // Not ours to judge (e.g. a whole pipeline object): let the binder refuse it and try the
            // object's properties instead.
            return inputData;
        }

        try
        {
            return PortListParser.Parse(value).ToArray();
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException)
        {
            string reason = e is ArgumentOutOfRangeException range ? range.Message.Split(" (Parameter", 2)[0] : e.Message;
            throw new ArgumentTransformationMetadataException(
                string.Format(CultureInfo.CurrentCulture, Messages.PortListInvalid, reason), e);
        }
    }

    private static bool IsPortLike(object? value) => value switch
    {
        string or int or long or short or byte or sbyte or uint or ulong or ushort or double or float or decimal => true,
        object[] items => items.All(IsPortLike),
        System.Collections.IEnumerable and not IDictionary => true,
        _ => false,
    };

    internal static object? Unwrap(object? input) => input switch
    {
        PSObject pso => Unwrap(pso.BaseObject),
        object[] items => Array.ConvertAll(items, Unwrap),
        _ => input,
    };
}
