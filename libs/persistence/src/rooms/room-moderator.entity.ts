import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'room_moderators' })
export class RoomModeratorEntity {
  @PrimaryColumn({ name: 'room_id', type: 'varchar', length: 64 })
  roomId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64 })
  userId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
