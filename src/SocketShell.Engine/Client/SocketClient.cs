using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Net;
using System.Security.Authentication;
using SocketShell.Common;

namespace SocketShell.Client;

/// <summary>Makes client connections (TCP, optionally TLS) and lists them in <see cref="SocketSessions"/>.</summary>
public static class SocketClient
{
    /// <summary>
    /// Resolves the name and tries every resolved address in the resolver's order until one accepts,
    /// so <c>localhost</c> works whether it resolves to ::1 or 127.0.0.1 first; then negotiates TLS
    /// when asked. All of it within <see cref="SocketConnectOptions.Timeout"/>.
    /// </summary>
    /// <exception cref="SocketShellException">
    /// Kinds ConnectionRefused, ConnectTimeout, HostNotFound, NetworkUnreachable, TlsHandshakeFailed
    /// (with the certificate problem in the message); the target is <c>host:port</c>.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing is left open.</exception>
    public static async Task<SocketConnection> ConnectAsync(SocketConnectOptions options, SocketSessions sessions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Path is not null)
        {
            return await ConnectUnixAsync(options, sessions, cancellationToken).ConfigureAwait(false);
        }

        Validate(options);
        ArgumentNullException.ThrowIfNull(sessions);
        string target = options.Target;
        using var deadline = new Deadline(options.Timeout, options.TimeProvider, cancellationToken);

        IPAddress[] addresses;
        try
        {
            addresses = await options.Resolver(options.ComputerName, options.AddressFamily, deadline.Token).ConfigureAwait(false);
        }
        catch (SocketShellException e)
        {
            throw new SocketShellException(e.Kind, e.Message, target, e.InnerException);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SocketShellException(
                SocketErrorKind.ConnectTimeout,
                $"The name '{options.ComputerName}' did not resolve within {Common.DurationText.Format(options.Timeout)}.",
                target);
        }

        return await ConnectAsync(options, sessions, addresses, deadline.Token, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Connects to <paramref name="addresses"/> in order (the resolver's work already done).</summary>
    private static async Task<SocketConnection> ConnectAsync(
        SocketConnectOptions options, SocketSessions sessions, IReadOnlyList<IPAddress> addresses, CancellationToken deadline, CancellationToken cancellationToken)
    {
        string target = options.Target;
        var failures = new List<(IPAddress Address, SocketException Error)>();
        SocketException? reported = null;
        foreach (IPAddress address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            bool connected = false;
            try
            {
                socket.NoDelay = options.NoDelay;
                if (options.KeepAlive)
                {
                    socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
                }

                long started = options.TimeProvider.GetTimestamp();
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, options.Port), deadline).ConfigureAwait(false);
                }
                catch (SocketException e)
                {
                    // Not answered: on to the next address; when none answers, the last address's failure is reported.
                    failures.Add((address, e));
                    reported = AddressFallback.MoreTelling(reported, 0, e, 0, FallbackTie.Later);
                    continue;
                }

                connected = true;
                return await EstablishAsync(socket, options, sessions, options.ComputerName.Trim(), target, started, deadline, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                string tried = failures.Count == 0 ? string.Empty : $"; before that {Describe(failures, options.Port)}";
                string what = connected && options.UseTls ? "The TLS handshake did not complete" : "No connection";
                throw new SocketShellException(
                    SocketErrorKind.ConnectTimeout,
                    $"{what} within {Common.DurationText.Format(options.Timeout)} (waited on {EndPointText.Format(address, options.Port)}{tried}).",
                    target);
            }
            finally
            {
                if (!connected)
                {
                    socket.Dispose();
                }
            }
        }

        if (reported is null)
        {
            throw new SocketShellException(SocketErrorKind.HostNotFound, $"'{options.ComputerName}' has no address to connect to.", target);
        }

        SocketException last = reported;
        SocketErrorKind kind = SocketFailure.Classify(last.SocketErrorCode);
        string lead = kind switch
        {
            SocketErrorKind.ConnectionRefused => "The connection was refused: nothing listens on that port",
            SocketErrorKind.NetworkUnreachable => "The network or host is unreachable",
            _ => "The connection failed",
        };
        throw new SocketShellException(
            kind == SocketErrorKind.Unknown ? SocketErrorKind.ConnectionRefused : kind,
            $"{lead} (tried {Describe(failures, options.Port)}).",
            target,
            last);
    }

    /// <summary>
    /// Connects a stream socket to a Unix domain socket path (then TLS when asked, rare but valid).
    /// Failures are PathNotFound, NotASocket, AccessDenied, ConnectionRefused, InvalidSocketPath or
    /// ConnectTimeout (a listener whose backlog is full), with the path as target.
    /// </summary>
    private static async Task<SocketConnection> ConnectUnixAsync(SocketConnectOptions options, SocketSessions sessions, CancellationToken cancellationToken)
    {
        string path = options.Path!;
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options));
        if (options.Timeout <= TimeSpan.Zero && options.Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Timeout, "The timeout must be greater than zero.");
        }

        System.Net.Sockets.UnixDomainSocketEndPoint endPoint = Unix.UnixSocketPath.EndPoint(path);
        using var deadline = new Deadline(options.Timeout, options.TimeProvider, cancellationToken);

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        bool connected = false;
        try
        {
            long started = options.TimeProvider.GetTimestamp();
            try
            {
                await socket.ConnectAsync(endPoint, deadline.Token).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw Unix.UnixSocketPath.ConnectFailure(path, e);
            }

            connected = true;
            return await EstablishAsync(socket, options, sessions, path, path, started, deadline.Token, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            string what = connected && options.UseTls ? "The TLS handshake did not complete" : "No connection";
            throw new SocketShellException(SocketErrorKind.ConnectTimeout, $"{what} within {Common.DurationText.Format(options.Timeout)} (the listener at '{path}' does not accept: its backlog may be full).", path);
        }
        finally
        {
            if (!connected)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>
    /// Takes over a connected <paramref name="socket"/> (closed here when anything fails): TLS when asked
    /// (failures name <paramref name="target"/>), then the connection named <paramref name="name"/>, with
    /// its connect time since <paramref name="started"/>, listed in <paramref name="sessions"/> and started.
    /// </summary>
    private static async Task<SocketConnection> EstablishAsync(
        Socket socket, SocketConnectOptions options, SocketSessions sessions, string name, string target, long started, CancellationToken deadline, CancellationToken cancellationToken)
    {
        SslStream? ssl = null;
        bool handedOver = false;
        try
        {
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (options.UseTls)
            {
                ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await AuthenticateAsync(ssl, options, target, deadline).ConfigureAwait(false);
            }

            var connection = new SocketConnection(sessions, name, socket, stream, ssl, options.TimeProvider.GetElapsedTime(started), options.TimeProvider);
            handedOver = true;
            if (cancellationToken.IsCancellationRequested)
            {
                connection.Dispose();
                cancellationToken.ThrowIfCancellationRequested();
            }

            sessions.Add(connection);
            connection.Start();
            return connection;
        }
        finally
        {
            if (!handedOver)
            {
                ssl?.Dispose();
                socket.Dispose();
            }
        }
    }

    private static async Task AuthenticateAsync(SslStream ssl, SocketConnectOptions options, string target, CancellationToken deadline)
    {
        string serverName = string.IsNullOrWhiteSpace(options.ServerName) ? options.ComputerName.Trim() : options.ServerName.Trim();
        if (serverName.Length > 2 && serverName[0] == '[' && serverName[^1] == ']')
        {
            serverName = serverName[1..^1];
        }

        SslPolicyErrors problems = SslPolicyErrors.None;
        string? chainStatus = null;
        var sslOptions = new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            RemoteCertificateValidationCallback = (_, _, chain, errors) =>
            {
                problems = errors;
                if (chain is not null && chain.ChainStatus.Length > 0)
                {
                    chainStatus = string.Join("; ", chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation.Trim()}"));
                }

                return options.SkipCertificateCheck || errors == SslPolicyErrors.None;
            },
        };

        try
        {
            await ssl.AuthenticateAsClientAsync(sslOptions, deadline).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SocketException)
        {
            string reason;
            if (problems != SslPolicyErrors.None && !options.SkipCertificateCheck)
            {
                reason = $"the server's certificate was not accepted for '{serverName}' ({problems})";
                if (chainStatus is not null)
                {
                    reason += $": {chainStatus}";
                }
            }
            else
            {
                reason = e.InnerException is null ? e.Message : $"{e.Message} ({e.InnerException.Message})";
            }

            throw new SocketShellException(SocketErrorKind.TlsHandshakeFailed, $"The TLS handshake failed: {reason}.", target, e);
        }
    }

    private static void Validate(SocketConnectOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Common.HostNameRules.Validate(options.ComputerName);
        ArgumentNullException.ThrowIfNull(options.Resolver, nameof(options));
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options));
        if (options.Port is < 1 or > PortListParser.MaxPort)
        {
            throw new SocketShellException(SocketErrorKind.InvalidPort, $"The port {options.Port} is not a destination port: it must be from 1 to 65535.", options.Target);
        }

        if (options.Timeout <= TimeSpan.Zero && options.Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Timeout, "The timeout must be greater than zero.");
        }
    }

    private static string Describe(List<(IPAddress Address, SocketException Error)> failures, int port)
        => string.Join("; ", failures.Select(f => $"{EndPointText.Format(f.Address, port)}: {f.Error.SocketErrorCode}"));

}
