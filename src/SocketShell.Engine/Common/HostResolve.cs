using System.Net;

namespace SocketShell.Common;

/// <summary>
/// Resolves <paramref name="computerName"/> to the addresses of <paramref name="family"/>, in the order
/// to try them; throws <see cref="SocketShellException"/> (HostNotFound) when nothing resolves.
/// The engine's entry points take one in their options (default <see cref="HostResolver.ResolveAsync"/>),
/// so tests give fixed addresses through the same path users take.
/// </summary>
public delegate Task<IPAddress[]> HostResolve(string computerName, IPFamily family, CancellationToken cancellationToken);
