package nl.i3groep.consent.servlet;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.ledger.ConsentRecord;

/** {@link Meters} in a Micrometer registry; loaded by name only, where Micrometer is present. */
final class MicrometerMeters implements Meters {

    private final MeterRegistry registry;
    private final Timer gate;

    MicrometerMeters(MeterRegistry registry) {
        this.registry = registry;
        this.gate = Timer.builder("consent.gate")
                .description("Time a response's body spent in the consent gate, writing through it included")
                .register(registry);
    }

    static Meters global() {
        return new MicrometerMeters(Metrics.globalRegistry);
    }

    @Override
    public boolean timing() {
        return true;
    }

    @Override
    public void decision(ConsentRecord record, Decisions now) {
        String source = record.source().name().toLowerCase(Locale.ROOT);
        for (String purpose : record.purposes().keySet()) {
            Counter.builder("consent.decisions")
                    .description("Decisions recorded in the consent ledger, per purpose they decide")
                    .tag("purpose", purpose).tag("source", source)
                    .tag("choice", now.allowsPurpose(purpose) ? "granted" : "refused")
                    .register(registry).increment();
        }
    }

    @Override
    public void answered(String endpoint, int status) {
        Counter.builder("consent.endpoint.responses")
                .description("Answers of the consent filter's endpoints")
                .tag("endpoint", endpoint).tag("status", Integer.toString(status))
                .register(registry).increment();
    }

    @Override
    public void ledgerFailed(String operation) {
        Counter.builder("consent.ledger.failures")
                .description("Operations of the consent ledger that failed")
                .tag("operation", operation)
                .register(registry).increment();
    }

    @Override
    public void failedClosed(String reason) {
        Counter.builder("consent.gate.failed.closed")
                .description("Bodies served under the fail-closed policy or with their markup escaped")
                .tag("reason", reason)
                .register(registry).increment();
    }

    @Override
    public void gated(long nanos) {
        gate.record(nanos, TimeUnit.NANOSECONDS);
    }
}
