package org.sdatc.enhancer.app;

import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.stream.SegmentEvents;

/**
 * Everything {@code run} and {@code demo} keep alive: the service and its enhancer. Closing it is
 * the single shutdown path: streams (finishing the segment in flight), then the enhancer.
 */
final class ServiceRuntime implements AutoCloseable {
    private final EnhancerService service;

    private ServiceRuntime(EnhancerService service) {
        this.service = service;
    }

    static ServiceRuntime start(ServiceConfig config, int partitions) throws InterruptedException {
        Enhancer enhancer = Enhancers.create(config);
        try {
            return new ServiceRuntime(EnhancerService.start(config, enhancer, SegmentEvents.NONE, partitions));
        } catch (RuntimeException | InterruptedException e) {
            enhancer.close();
            throw e;
        }
    }

    EnhancerService service() {
        return service;
    }

    @Override
    public void close() {
        service.close();
    }
}
