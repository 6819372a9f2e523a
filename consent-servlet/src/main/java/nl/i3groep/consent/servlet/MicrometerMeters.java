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
            count("consent.decisions", "Decisions recorded in the consent ledger, per purpose they decide",
                    "purpose", purpose, "source", source, "choice", now.allowsPurpose(purpose) ? "granted" : "refused");
        }
    }

    @Override
    public void answered(String endpoint, int status) {
        count("consent.endpoint.responses", "Answers of the consent filter's endpoints",
                "endpoint", endpoint, "status", Integer.toString(status));
    }

    @Override
    public void ledgerFailed(String operation) {
        count("consent.ledger.failures", "Operations of the consent ledger that failed", "operation", operation);
    }

    @Override
    public void failedClosed(String reason) {
        count("consent.gate.failed.closed", "Bodies served under the fail-closed policy or with their markup escaped",
                "reason", reason);
    }

    private void count(String name, String description, String... tags) {
        Counter.builder(name).description(description).tags(tags).register(registry).increment();
    }

    @Override
    public void gated(long nanos) {
        gate.record(nanos, TimeUnit.NANOSECONDS);
    }
}
