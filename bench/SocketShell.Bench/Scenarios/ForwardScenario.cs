using System.Globalization;
using SocketShell.Listeners;

namespace SocketShell.Bench.Scenarios;

/// <summary>
/// A SocketShell Forward listener in its own process (like `socat TCP-LISTEN:p,fork TCP:host:q`): prints
/// "port &lt;n&gt; pid &lt;pid&gt;", answers "stats" on stdin, stops at end of input.
/// </summary>
public sealed class ForwardScenario : IBenchScenario
{
    public string Name => "forward";

    public string Description => "run a Forward listener until stdin closes (--to 127.0.0.1:Q --protocol Tcp|Udp --port 0 --max-connections 1000 --capture-limit 16777216)";

    public async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        SocketListener l = new ListenerRegistry().Start(new ListenerOptions
        {
            Protocol = Enum.Parse<TransportProtocol>(args.Get("protocol", "Tcp"), ignoreCase: true),
            Mode = ListenerMode.Forward,
            ForwardTo = ForwardTarget.Parse(args.Get("to", "127.0.0.1:0")),
            Port = args.GetInt("port", 0),
            MaxConnections = args.GetInt("max-connections", ListenerOptions.DefaultMaxConnections),
            CaptureLimit = long.Parse(args.Get("capture-limit", ListenerOptions.DefaultCaptureLimit.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
        });
        await ListenScenario.ServeAsync(l, cancellationToken);
        return 0;
    }
}
